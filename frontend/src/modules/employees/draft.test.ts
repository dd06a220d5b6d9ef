import { describe, expect, it } from 'vitest';
import type { Employee } from '@/api/types';
import { checkEmployeeDraft, draftFromEmployee, emptyEmployeeDraft, employeeChanges, employeeToCreate } from './draft';

const grace: Employee = {
  id: '0190b7a4-0000-7000-8000-0000000000e1',
  name: 'Grace Hopper',
  email: 'grace@acme.test',
  employee_number: 'E-7',
  title: 'Rear Admiral',
  department: { id: 'd1', name: 'Engineering' },
  location: null,
  status: 'active',
  start_date: '2020-01-06',
  end_date: null,
  version: 4,
  created_at: '2026-11-25T10:00:00Z',
  updated_at: '2026-11-25T10:00:00Z',
};

describe('employee draft', () => {
  it('sends only what changed, with null clearing a field', () => {
    const original = draftFromEmployee(grace);
    const draft = { ...original, title: ' Commodore ', employee_number: '', status: 'terminated' as const, end_date: '2026-12-31' };
    expect(employeeChanges(original, draft)).toEqual({
      title: 'Commodore',
      employee_number: null,
      status: 'terminated',
      end_date: '2026-12-31',
    });
    expect(employeeChanges(original, { ...original, name: ' Grace Hopper ' })).toEqual({});
  });

  it('requires a name and an email before sending', () => {
    expect(checkEmployeeDraft(emptyEmployeeDraft())).toEqual({
      name: 'Give it a name.',
      email: 'This field is required.',
    });
    expect(checkEmployeeDraft(draftFromEmployee(grace))).toEqual({});
  });

  it('builds the create body from a draft', () => {
    expect(employeeToCreate({ ...emptyEmployeeDraft(), name: ' Ada ', email: 'ada@acme.test', title: '' })).toEqual({
      name: 'Ada',
      email: 'ada@acme.test',
      employee_number: null,
      title: null,
      department_id: null,
      location_id: null,
      start_date: null,
    });
  });
});
