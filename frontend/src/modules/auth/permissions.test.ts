import { describe, expect, it } from 'vitest';
import type { Role } from '@/api/types';
import { allowed, grantableRoles, type Action } from './permissions';

const roles: Role[] = ['owner', 'admin', 'manager', 'member', 'viewer'];

/** Who may do what, row by row, as `backend/src/platform/auth.rs` says. */
const table: Record<Action, Role[]> = {
  'assets.read': ['owner', 'admin', 'manager', 'member', 'viewer'],
  'people.read': ['owner', 'admin', 'manager', 'viewer'],
  'workflows.read': ['owner', 'admin', 'manager', 'viewer'],
  'assets.assign': ['owner', 'admin', 'manager'],
  'workflows.approve': ['owner', 'admin', 'manager'],
  'assets.write': ['owner', 'admin'],
  'people.write': ['owner', 'admin'],
  'catalog.write': ['owner', 'admin'],
  'audit.read': ['owner', 'admin'],
  'users.read': ['owner', 'admin'],
  'api_tokens.manage': ['owner', 'admin'],
  'integrations.read': ['owner', 'admin'],
  'integrations.manage': ['owner', 'admin'],
  'workflows.manage': ['owner', 'admin'],
  'users.manage': ['owner'],
  'tenant.manage': ['owner'],
};

describe('allowed', () => {
  for (const [action, who] of Object.entries(table) as [Action, Role[]][]) {
    it(`${action}: ${who.join(', ')}`, () => {
      expect(roles.filter((role) => allowed(role, action))).toEqual(who);
    });
  }
});

describe('grantableRoles', () => {
  it('offers at most one’s own role', () => {
    expect(grantableRoles('admin')).toEqual(['admin', 'manager', 'member', 'viewer']);
    expect(grantableRoles('viewer')).toEqual(['viewer']);
  });
});
