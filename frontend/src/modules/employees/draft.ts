import { fieldMessage } from '@/api/messages';
import type { CreateEmployee, Employee, EmployeeStatus, UpdateEmployee } from '@/api/types';

/** What the employee form edits: the API's fields as the inputs hold them (text, not null). */
export interface EmployeeDraft {
  name: string;
  email: string;
  employee_number: string;
  title: string;
  department_id: string | null;
  location_id: string | null;
  start_date: string | null;
  end_date: string | null;
  status: EmployeeStatus;
}

/** The fields the employee form shows, as the API names them (for placing field errors). */
export const employeeFormFields = [
  'name',
  'email',
  'employee_number',
  'title',
  'department_id',
  'location_id',
  'start_date',
  'end_date',
  'status',
] as const;

export function emptyEmployeeDraft(): EmployeeDraft {
  return {
    name: '',
    email: '',
    employee_number: '',
    title: '',
    department_id: null,
    location_id: null,
    start_date: null,
    end_date: null,
    status: 'active',
  };
}

export function draftFromEmployee(employee: Employee): EmployeeDraft {
  return {
    name: employee.name,
    email: employee.email,
    employee_number: employee.employee_number ?? '',
    title: employee.title ?? '',
    department_id: employee.department?.id ?? null,
    location_id: employee.location?.id ?? null,
    start_date: employee.start_date ?? null,
    end_date: employee.end_date ?? null,
    status: employee.status === 'terminated' ? 'terminated' : 'active',
  };
}

/** Client-side checks that save a round trip (field → message); the server validates everything again. */
export function checkEmployeeDraft(draft: EmployeeDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!draft.name.trim()) errors.name = fieldMessage('name', 'required', undefined);
  if (!draft.email.trim()) errors.email = fieldMessage('email', 'required', undefined);
  return errors;
}

const text = (value: string): string | null => value.trim() || null;

/** The body of `POST /employees` for a draft (new employees start active, and have not left). */
export function employeeToCreate(draft: EmployeeDraft): CreateEmployee {
  const { status: _active, end_date: _notLeft, ...fields } = toApi(draft);
  return fields;
}

/**
 * The body of `PATCH /employees/{id}`: only the fields the user changed, so an edit never
 * overwrites (or records in the audit log) a field it did not touch. `null` clears a field.
 */
export function employeeChanges(original: EmployeeDraft, draft: EmployeeDraft): UpdateEmployee {
  const before = toApi(original);
  const after = toApi(draft);
  const changes: UpdateEmployee = {};
  for (const key of Object.keys(after) as (keyof typeof after)[]) {
    if (before[key] !== after[key]) Object.assign(changes, { [key]: after[key] });
  }
  return changes;
}

/** Every field of the form as the API spells it (trimmed text, `null` for empty). */
function toApi(draft: EmployeeDraft) {
  return {
    name: draft.name.trim(),
    email: draft.email.trim(),
    employee_number: text(draft.employee_number),
    title: text(draft.title),
    department_id: draft.department_id,
    location_id: draft.location_id,
    start_date: draft.start_date,
    end_date: draft.end_date,
    status: draft.status,
  };
}
