import type { Employee } from '@/api/types';
import type { EmployeeFilters } from './api';

/**
 * Whether `employee` belongs in the employee list under `filters`: the status is known here;
 * a search is run by the server (over name, email and employee number), so with one the
 * answer is `null` unless the status already rules the person out.
 */
export function matchesEmployeeFilters(employee: Employee, filters: EmployeeFilters): boolean | null {
  if (filters.status !== null && employee.status !== filters.status) return false;
  return filters.q.trim() === '' ? true : null;
}
