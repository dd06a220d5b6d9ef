import { api, unwrap } from '@/api/client';
import type {
  CreateEmployee,
  Department,
  Employee,
  EmployeeDetail,
  EmployeeStatus,
  Location,
  UpdateEmployee,
} from '@/api/types';
import type { Page, PageRequest } from '@/composables/usePagedList';

/** The filters of the employee list screen. */
export interface EmployeeFilters {
  q: string;
  status: EmployeeStatus | null;
}

export function listEmployees({ cursor, limit, filters, signal }: PageRequest<EmployeeFilters>): Promise<Page<Employee>> {
  return unwrap(
    api.GET('/api/v1/employees', {
      params: {
        query: {
          limit,
          cursor: cursor ?? undefined,
          q: filters.q.trim() || undefined,
          status: filters.status ?? undefined,
        },
      },
      signal,
    }),
  );
}

/** Active employees matching `q`, for pickers. */
export async function searchActiveEmployees(q: string, signal?: AbortSignal): Promise<Employee[]> {
  const page = await unwrap(
    api.GET('/api/v1/employees', {
      params: { query: { q: q.trim() || undefined, status: 'active', limit: 20 } },
      signal,
    }),
  );
  return page.data;
}

export function getEmployee(id: string): Promise<EmployeeDetail> {
  return unwrap(api.GET('/api/v1/employees/{id}', { params: { path: { id } } }));
}

export function createEmployee(body: CreateEmployee, idempotencyKey: string): Promise<Employee> {
  return unwrap(api.POST('/api/v1/employees', { body, headers: { 'Idempotency-Key': idempotencyKey } }));
}

/**
 * Changes some fields of an employee. `version` is the one the user saw (sent as `If-Match`):
 * if someone changed the employee since, the server answers 409 `version_conflict`.
 */
export function updateEmployee(id: string, changes: UpdateEmployee, version: number): Promise<Employee> {
  return unwrap(
    api.PATCH('/api/v1/employees/{id}', {
      params: { path: { id } },
      body: changes,
      headers: { 'If-Match': `"${version}"` },
    }),
  );
}

export async function listDepartments(): Promise<Department[]> {
  return (await unwrap(api.GET('/api/v1/departments'))).data;
}

export async function listLocations(): Promise<Location[]> {
  return (await unwrap(api.GET('/api/v1/locations'))).data;
}
