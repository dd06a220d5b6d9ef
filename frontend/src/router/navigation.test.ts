import { describe, expect, it } from 'vitest';
import type { Role } from '@/api/types';
import { allowed } from '@/modules/auth/permissions';
import { visibleNavigation } from './navigation';

const labelsFor = (role: Role) => visibleNavigation((action) => allowed(role, action)).map((entry) => entry.label);

describe('main navigation', () => {
  it('shows admins every screen, integrations included', () => {
    expect(labelsFor('admin')).toEqual([
      'Dashboard',
      'Assets',
      'Employees',
      'Catalog',
      'Integrations',
      'Audit log',
      'Settings',
    ]);
  });

  it('hides integrations from the roles that cannot read them', () => {
    expect(labelsFor('manager')).not.toContain('Integrations');
    expect(labelsFor('viewer')).not.toContain('Integrations');
    expect(labelsFor('member')).toEqual(['Dashboard', 'Assets', 'Catalog', 'Settings']);
  });
});
