import type { Role } from '@/api/types';

export const roleLabels: Readonly<Record<Role, string>> = {
  owner: 'Owner',
  admin: 'Admin',
  manager: 'Manager',
  member: 'Member',
  viewer: 'Viewer',
};

/** Whether a user may sign in. */
export const userStatusLabels: Readonly<Record<'active' | 'disabled', string>> = {
  active: 'Active',
  disabled: 'Disabled',
};
