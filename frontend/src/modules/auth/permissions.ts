import type { Role } from '@/api/types';

/**
 * What a signed-in user may do, mirroring the backend's one authorization table
 * (`backend/src/platform/auth.rs`, `allowed`). The server decides every request; this only
 * hides or disables what would be refused, so screens still handle a 403 `forbidden`.
 */
export type Action =
  | 'assets.read'
  | 'assets.write'
  | 'assets.assign'
  | 'people.read'
  | 'people.write'
  | 'catalog.write'
  | 'audit.read'
  | 'users.read'
  | 'users.manage'
  | 'api_tokens.manage'
  | 'integrations.read'
  | 'integrations.manage'
  | 'workflows.read'
  | 'workflows.approve'
  | 'workflows.manage'
  | 'tenant.manage';

/** Roles from least to most privileged: a role can do what any role before it can. */
export const roleRank: Readonly<Record<Role, number>> = {
  viewer: 0,
  member: 1,
  manager: 2,
  admin: 3,
  owner: 4,
};

/** Roles most privileged first, for pickers. */
export const rolesDescending: readonly Role[] = (Object.keys(roleRank) as Role[]).sort(
  (a, b) => roleRank[b] - roleRank[a],
);

const atLeast = (role: Role, minimum: Role) => roleRank[role] >= roleRank[minimum];

export function allowed(role: Role, action: Action): boolean {
  switch (action) {
    case 'assets.read':
      return true;
    case 'people.read':
    case 'workflows.read':
      return role !== 'member';
    case 'assets.assign':
    case 'workflows.approve':
      return atLeast(role, 'manager');
    case 'assets.write':
    case 'people.write':
    case 'catalog.write':
    case 'audit.read':
    case 'users.read':
    case 'api_tokens.manage':
    case 'integrations.read':
    case 'integrations.manage':
    case 'workflows.manage':
      return atLeast(role, 'admin');
    case 'users.manage':
    case 'tenant.manage':
      return role === 'owner';
  }
}

/**
 * Whether `role` reads only the assets checked out to them (members; the backend's
 * `holds_only`): their lists are narrowed by the server, not by the filters on screen.
 */
export function seesOnlyHeldAssets(role: Role): boolean {
  return role === 'member';
}

/** Roles a user of `role` may hand out (to a user or an API token): at most their own. */
export function grantableRoles(role: Role): Role[] {
  return rolesDescending.filter((candidate) => roleRank[candidate] <= roleRank[role]);
}
