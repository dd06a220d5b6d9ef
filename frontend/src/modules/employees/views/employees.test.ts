/** The employee edit screen in the whole SPA (happy-dom), with `fetch` mocked. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_KEY } from '@/modules/auth/session-storage';
import { SilentWebSocket, button, eventually, fieldInput, fieldText, startApp, submitForm, type } from '@/testing/app';
import { jsonResponse, mockFetch, problemResponse, tokenBody, type Handler } from '@/testing/http';

const tokens = tokenBody('access-1', 'refresh-1');
const grace = {
  id: '0190b7a4-0000-7000-8000-0000000000e1',
  name: 'Grace Hopper',
  email: 'grace@acme.test',
  employee_number: 'E-7',
  title: 'Rear Admiral',
  department: null,
  location: null,
  status: 'active',
  start_date: '2020-01-06',
  end_date: null,
  external_id: '17',
  external_source: 'bamboohr',
  version: 2,
  created_at: '2026-11-25T10:00:00Z',
  updated_at: '2026-11-25T10:00:00Z',
  assets: [],
};
const url = `/api/v1/employees/${grace.id}`;

function backend(extra: Record<string, Handler>): Record<string, Handler> {
  return {
    'GET /api/v1/me': () => jsonResponse(200, { user: tokens.user, tenant: tokens.tenant }),
    [`GET ${url}`]: () => jsonResponse(200, grace),
    'GET /api/v1/departments': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/locations': () => jsonResponse(200, { data: [], next_cursor: null }),
    ...extra,
  };
}

let cleanup: (() => void) | null = null;

beforeEach(() => {
  localStorage.setItem(SESSION_KEY, JSON.stringify({ access_token: 'access-1', refresh_token: 'refresh-1' }));
  vi.stubGlobal('WebSocket', SilentWebSocket);
});

afterEach(() => {
  cleanup?.();
  cleanup = null;
  document.body.innerHTML = '';
  localStorage.clear();
});

describe('employee edit', () => {
  it('opens from the employee page and saves only what changed, with If-Match', async () => {
    const http = mockFetch(
      backend({ [`PATCH ${url}`]: () => jsonResponse(200, { ...grace, title: 'Commodore', version: 3 }) }),
    );
    const { root, router, unmount } = await startApp(`/employees/${grace.id}`);
    cleanup = unmount;
    await eventually(() => expect(root.textContent).toContain('Synced from'));
    (root.querySelector('a[href$="/edit"]') as HTMLAnchorElement | null)?.click();
    await eventually(() => expect(root.textContent).toContain('Edit Grace Hopper'));
    expect(root.textContent).toContain('This person comes from BambooHR');

    type(fieldInput(root, 'Job title'), 'Commodore');
    submitForm(root);
    await eventually(() => expect(router.currentRoute.value.name).toBe('employee'));
    const sent = http.callsTo(`PATCH ${url}`);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toEqual({ title: 'Commodore' });
    expect(sent[0]?.headers.get('If-Match')).toBe('"2"');
  });

  it('shows a taken email on its field', async () => {
    mockFetch(
      backend({
        [`PATCH ${url}`]: () =>
          problemResponse(409, 'duplicate_email', { errors: [{ field: 'email', code: 'taken', message: 'is already in use' }] }),
      }),
    );
    const { root, unmount } = await startApp(`/employees/${grace.id}/edit`);
    cleanup = unmount;
    await eventually(() => expect(fieldInput(root, 'Work email')?.value).toBe('grace@acme.test'));
    type(fieldInput(root, 'Work email'), 'ada@acme.test');
    submitForm(root);
    await eventually(() => expect(fieldText(root, 'Work email')).toContain('Someone with this email already exists.'));
    expect(fieldInput(root, 'Work email')?.getAttribute('aria-invalid')).toBe('true');
  });

  it('explains a version conflict and reloads the current version', async () => {
    let current = grace;
    const http = mockFetch(
      backend({
        [`GET ${url}`]: () => jsonResponse(200, current),
        [`PATCH ${url}`]: () => problemResponse(409, 'version_conflict'),
      }),
    );
    const { root, unmount } = await startApp(`/employees/${grace.id}/edit`);
    cleanup = unmount;
    await eventually(() => expect(fieldInput(root, 'Job title')?.value).toBe('Rear Admiral'));
    type(fieldInput(root, 'Job title'), 'Commodore');
    submitForm(root);
    await eventually(() => expect(root.textContent).toContain('Someone else changed this employee meanwhile'));

    current = { ...grace, title: 'Admiral', version: 3 };
    button(root, 'Reload')?.click();
    await eventually(() => expect(fieldInput(root, 'Job title')?.value).toBe('Admiral'));
    expect(root.textContent).not.toContain('Someone else changed this employee meanwhile');
    expect(http.callsTo(`GET ${url}`).length).toBeGreaterThanOrEqual(2);
  });
});
