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
      'Discrepancies',
      'Employees',
      'Workflows',
      'Approvals',
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

  it('shows the discrepancies between MDM and records to admins only', () => {
    expect(labelsFor('owner')).toContain('Discrepancies');
    expect(labelsFor('manager')).not.toContain('Discrepancies');
    expect(labelsFor('viewer')).not.toContain('Discrepancies');
  });

  it('gives the approvals inbox to managers and up, and workflows to everyone who reads people', () => {
    expect(labelsFor('manager')).toEqual(expect.arrayContaining(['Workflows', 'Approvals']));
    expect(labelsFor('viewer')).toContain('Workflows');
    expect(labelsFor('viewer')).not.toContain('Approvals');
    expect(labelsFor('member')).not.toContain('Workflows');
  });
});
