import type { EmployeeStatus } from '@/api/types';

export const employeeStatusLabels: Readonly<Record<EmployeeStatus, string>> = {
  active: 'Active',
  terminated: 'Left',
};

export const employeeStatusOptions = (Object.keys(employeeStatusLabels) as EmployeeStatus[]).map((value) => ({
  value,
  label: employeeStatusLabels[value],
}));
