/**
 * The employee list in the whole SPA (happy-dom), with `fetch` mocked and a fake Phoenix server
 * pushing the `employees:{tenant_id}` events.
 */
import { describe, expect, it } from 'vitest';
import type { Employee } from '@/api/types';
import { button, eventually, signedInApp } from '@/testing/app';
import { jsonResponse, mockFetch, tokenBody } from '@/testing/http';

const tokens = tokenBody('access-1', 'refresh-1');
const topic = `employees:${tokens.tenant.id}`;
const person = (n: number, extra: Partial<Employee> = {}): Employee => ({
  id: `0190b7a4-0000-7000-8000-0000000001${String(n).padStart(2, '0')}`,
  name: `Person ${n}`,
  email: `person${n}@acme.test`,
  employee_number: null,
  title: null,
  department: null,
  location: null,
  status: 'active',
  start_date: null,
  end_date: null,
  version: 1,
  created_at: '2026-11-25T10:00:00Z',
  updated_at: '2026-11-25T10:00:00Z',
  ...extra,
});

const { open, server } = signedInApp();
const rows = (root: Element) => [...root.querySelectorAll('[aria-labelledby="employees-title"] tbody tr[data-p-index]')];
const notice = (root: Element) => root.querySelector('[data-testid="live-notice"] .live-notice__body > span')?.textContent?.trim();

describe('employees seen live', () => {
  it('announces people added elsewhere (the list is by name, whose order only the server knows) and changes rows in place', async () => {
    const http = mockFetch({
      'GET /api/v1/me': () => jsonResponse(200, { user: tokens.user, tenant: tokens.tenant }),
      'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
      'GET /api/v1/discrepancies': () => jsonResponse(200, []),
      'GET /api/v1/employees': () => jsonResponse(200, { data: [person(1)], next_cursor: null }),
    });
    const { root } = await open('/employees');
    await eventually(() => expect(rows(root)).toHaveLength(1));
    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));

    server.last?.push(topic, 'employee_updated', { employee: person(1, { title: 'Rear Admiral', version: 2 }) });
    await eventually(() => expect(rows(root)[0]?.textContent).toContain('Rear Admiral'));

    server.last?.push(topic, 'employee_created', { employee: person(2) });
    await eventually(() => expect(notice(root)).toBe('1 new employee was added.'));
    expect(rows(root)).toHaveLength(1);

    button(root, 'Show')?.click();
    await eventually(() => expect(http.callsTo('GET /api/v1/employees')).toHaveLength(2));
    await eventually(() => expect(notice(root)).toBeUndefined());
  });
});
