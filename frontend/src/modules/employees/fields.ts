import type { CreateEmployee } from '@/api/types';

/**
 * What the employee screens call each field of an employee: the form's labels, which the audit
 * log uses for a change too. A field added to the contract fails the build until it is named here.
 */
export const employeeFieldLabels: Readonly<Record<keyof CreateEmployee, string>> = {
  name: 'Name',
  email: 'Work email',
  employee_number: 'Employee number',
  title: 'Job title',
  department_id: 'Department',
  location_id: 'Location',
  manager_id: 'Manager',
  start_date: 'Start date',
  status: 'Status',
  end_date: 'Leaving date',
};
