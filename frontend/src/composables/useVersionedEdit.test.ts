import { describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { getEmployee, updateEmployee } from '@/modules/employees/api';
import {
  checkEmployeeDraft,
  draftFromEmployee,
  emptyEmployeeDraft,
  employeeChanges,
  employeeFormFields,
} from '@/modules/employees/draft';
import { jsonResponse, mockFetch, problemResponse } from '@/testing/http';
import { useVersionedEdit } from './useVersionedEdit';

const id = '0190b7a4-0000-7000-8000-0000000000e1';
const grace = (version: number, title: string) => ({
  id,
  name: 'Grace Hopper',
  email: 'grace@acme.test',
  employee_number: null,
  title,
  department: null,
  location: null,
  status: 'active',
  start_date: null,
  end_date: null,
  version,
  created_at: '2026-11-25T10:00:00Z',
  updated_at: '2026-11-25T10:00:00Z',
  assets: [],
});

function edit() {
  const scope = effectScope();
  const form = scope.run(() =>
    useVersionedEdit({ id, load: getEmployee, toDraft: draftFromEmployee, empty: emptyEmployeeDraft, fields: employeeFormFields }),
  );
  if (!form) throw new Error('no form');
  return form;
}

describe('useVersionedEdit', () => {
  it('loads the record into the draft and saves the changes with If-Match', async () => {
    const http = mockFetch({
      [`GET /api/v1/employees/${id}`]: () => jsonResponse(200, grace(3, 'Rear Admiral')),
      [`PATCH /api/v1/employees/${id}`]: (call) => jsonResponse(200, { ...grace(4, 'Commodore'), ...(call.body as object) }),
    });
    const form = edit();
    await vi.waitFor(() => expect(form.draft.title).toBe('Rear Admiral'));

    form.draft.title = 'Commodore';
    const saved = await form.save(employeeChanges(form.original.value, form.draft), updateEmployee);

    expect(saved?.version).toBe(4);
    const sent = http.callsTo(`PATCH /api/v1/employees/${id}`)[0];
    expect(sent?.headers.get('If-Match')).toBe('"3"');
    expect(sent?.body).toEqual({ title: 'Commodore' });
    expect(form.conflict.value).toBe(false);
  });

  it('reports a version conflict and starts over from the current version on reload', async () => {
    let version = 3;
    mockFetch({
      [`GET /api/v1/employees/${id}`]: () => jsonResponse(200, grace(version, version === 3 ? 'Rear Admiral' : 'Admiral')),
      [`PATCH /api/v1/employees/${id}`]: () => problemResponse(409, 'version_conflict'),
    });
    const form = edit();
    await vi.waitFor(() => expect(form.record.value?.version).toBe(3));

    form.draft.title = 'Commodore';
    expect(await form.save({ title: 'Commodore' }, updateEmployee)).toBeUndefined();
    expect(form.conflict.value).toBe(true);
    expect(form.form.problem.value?.messageIn('employee')).toContain('Someone else changed this employee');

    version = 5;
    await form.reload();
    await vi.waitFor(() => expect(form.draft.title).toBe('Admiral'));
    expect(form.conflict.value).toBe(false);
  });

  it('flags the form as stale when a newer version is seen live', async () => {
    mockFetch({ [`GET /api/v1/employees/${id}`]: () => jsonResponse(200, grace(3, 'Rear Admiral')) });
    const form = edit();
    await vi.waitFor(() => expect(form.record.value?.version).toBe(3));

    form.noticeRemote({ id, version: 3 });
    form.noticeRemote({ id: 'someone-else', version: 9 });
    expect(form.changedElsewhere.value).toBe(false);
    form.noticeRemote({ id, version: 4 });
    expect(form.conflict.value).toBe(true);
  });

  it('submits nothing when a check fails or nothing changed', async () => {
    const http = mockFetch({ [`GET /api/v1/employees/${id}`]: () => jsonResponse(200, grace(3, 'Rear Admiral')) });
    const form = edit();
    await vi.waitFor(() => expect(form.record.value?.version).toBe(3));
    const steps = { check: checkEmployeeDraft, changes: employeeChanges, send: updateEmployee };

    expect(await form.submitChanges(steps)).toBeNull();
    form.draft.name = ' ';
    expect(await form.submitChanges(steps)).toBeUndefined();
    expect(form.form.errorFor('name')).toBe('Give it a name.');
    expect(http.callsTo(`PATCH /api/v1/employees/${id}`)).toHaveLength(0);
  });
});
