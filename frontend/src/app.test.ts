/**
 * Smoke tests of the whole SPA in happy-dom with `fetch` mocked: the screens render real
 * data, forms submit, errors land next to their fields. (End-to-end flows against the real
 * backend belong in `frontend/e2e/`.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_KEY } from './modules/auth/session-storage';
import { SilentWebSocket, eventually, settle, startApp as start, type } from './testing/app';
import { jsonResponse, mockFetch, problemResponse, tokenBody, type Handler } from './testing/http';

const tokens = tokenBody('access-1', 'refresh-1');
const employee = {
  id: '0190b7a4-0000-7000-8000-0000000000e1',
  name: 'Grace Hopper',
  email: 'grace@acme.test',
  employee_number: 'E-7',
  title: 'Rear Admiral',
  department: { id: '0190b7a4-0000-7000-8000-0000000000d1', name: 'Engineering' },
  location: null,
  status: 'active',
  start_date: '2020-01-06',
  end_date: null,
  version: 1,
  created_at: '2026-11-25T10:00:00Z',
  updated_at: '2026-11-25T10:00:00Z',
};
const laptop = {
  id: '0190b7a4-0000-7000-8000-0000000000a1',
  tag: 'LAP-0001',
  name: 'MacBook Pro 14',
  serial_number: 'C02XYZ',
  status: 'assigned',
  category: { id: '0190b7a4-0000-7000-8000-0000000000c1', name: 'Laptops' },
  model: null,
  location: null,
  assigned_to: { id: employee.id, name: employee.name, email: employee.email },
  purchase_date: '2026-01-15',
  cost: { amount: '1999.00', currency: 'USD' },
  supplier: 'Apple',
  order_number: null,
  warranty_end: null,
  custom_fields: {},
  notes: null,
  version: 3,
  created_at: '2026-11-25T10:00:00Z',
  updated_at: '2026-11-25T10:00:00Z',
};
const history = {
  data: [
    {
      id: '0190b7a4-0000-7000-8000-0000000000f1',
      seq: 7,
      occurred_at: '2026-11-25T11:00:00Z',
      actor: { type: 'user', id: tokens.user.id, name: 'Ada Lovelace' },
      action: 'asset.checked_out',
      entity_type: 'asset',
      entity_id: '0190b7a4-0000-7000-8000-0000000000a1',
      changes: {
        status: { from: 'in_stock', to: 'assigned' },
        assigned_employee_id: { from: null, to: '0190b7a4-0000-7000-8000-0000000000e1' },
        employee: { id: '0190b7a4-0000-7000-8000-0000000000e1', name: 'Grace Hopper' },
        note: 'For the conference',
      },
      ip: null,
      request_id: null,
      hash: 'abc',
    },
  ],
  next_cursor: null,
};

const backend: Record<string, Handler> = {
  'POST /api/v1/auth/login': () => jsonResponse(200, tokens),
  'GET /api/v1/me': () => jsonResponse(200, { user: tokens.user, tenant: tokens.tenant }),
  'GET /api/v1/assets': () => jsonResponse(200, { data: [laptop], next_cursor: null }),
  [`GET /api/v1/assets/${laptop.id}`]: () => jsonResponse(200, laptop),
  [`GET /api/v1/assets/${laptop.id}/history`]: () => jsonResponse(200, history),
  'GET /api/v1/employees': () => jsonResponse(200, { data: [employee], next_cursor: null }),
  [`GET /api/v1/employees/${employee.id}`]: () => jsonResponse(200, { ...employee, assets: [laptop] }),
  'GET /api/v1/categories': () => jsonResponse(200, { data: [laptop.category], next_cursor: null }),
  'GET /api/v1/locations': () => jsonResponse(200, { data: [], next_cursor: null }),
  'GET /api/v1/models': () => jsonResponse(200, { data: [], next_cursor: null }),
  'GET /api/v1/dashboard': () =>
    jsonResponse(200, {
      total_assets: 12,
      assigned: 7,
      in_stock: 4,
      warranty_expiring_30_days: 2,
      warranty_expiring_90_days: 3,
      warranty_expired: 1,
      by_status: [
        { status: 'in_stock', count: 4 },
        { status: 'assigned', count: 7 },
        { status: 'in_repair', count: 1 },
      ],
      by_category: [{ category: laptop.category, count: 12 }],
      generated_at: '2026-11-25T12:00:00Z',
    }),
};

let cleanup: (() => void) | null = null;

beforeEach(() => {
  localStorage.clear();
  vi.stubGlobal('WebSocket', SilentWebSocket);
});

afterEach(() => {
  cleanup?.();
  cleanup = null;
  document.body.innerHTML = '';
});

describe('the SPA', () => {
  it('sends a signed-out visitor to sign in, then to the asset list', async () => {
    const http = mockFetch(backend);
    const { root, router, unmount } = await start('/assets');
    cleanup = unmount;
    expect(router.currentRoute.value.name).toBe('login');

    type(root.querySelector('input[type="email"]'), 'ada@acme.test');
    type(root.querySelector('input[type="password"]'), 'correct horse');
    root.querySelector('form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();

    expect(http.callsTo('POST /api/v1/auth/login')[0]?.body).toMatchObject({ email: 'ada@acme.test' });
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/assets'), { timeout: 5000 });
    await vi.waitFor(() => expect(root.textContent).toContain('LAP-0001'), { timeout: 5000 });
    expect(root.textContent).toContain('Grace Hopper');
    expect(root.textContent).toContain('Acme Inc.');
    expect(root.textContent).toContain('Showing 1 asset (all)');
    expect(root.textContent).toContain('Ada Lovelace');
  });

  it('shows a sign-in problem by its code', async () => {
    mockFetch({ ...backend, 'POST /api/v1/auth/login': () => problemResponse(401, 'invalid_credentials') });
    const { root, unmount } = await start('/login');
    cleanup = unmount;

    type(root.querySelector('input[type="email"]'), 'ada@acme.test');
    type(root.querySelector('input[type="password"]'), 'nope');
    root.querySelector('form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));

    await eventually(() => expect(root.textContent).toContain('That email and password do not match.'));
  });

  describe('signed in', () => {
    beforeEach(() => {
      localStorage.setItem(SESSION_KEY, JSON.stringify({ access_token: 'access-1', refresh_token: 'refresh-1' }));
    });

    it('shows an asset with its holder and history', async () => {
      mockFetch(backend);
      const { root, unmount } = await start(`/assets/${laptop.id}`);
      cleanup = unmount;

      await eventually(() => expect(root.textContent).toContain('Checked out to Grace Hopper'));
      expect(root.textContent).toContain('MacBook Pro 14');
      expect(root.textContent).toContain('Current holder');
      expect(root.textContent).toContain('Grace Hopper');
      expect(root.textContent).toContain('Checked out to Grace Hopper');
      expect(root.textContent).toContain('Note: For the conference');
      expect(root.textContent).toContain('Showing 1 event (all)');
      expect(root.textContent).toContain('Status: In stock → Assigned');
      expect(root.textContent).not.toContain('in_stock');
      expect(root.textContent).toContain('Check in');
    });

    it('shows per-field errors of a rejected asset', async () => {
      const http = mockFetch({
        ...backend,
        'POST /api/v1/assets': () =>
          problemResponse(422, 'validation_failed', {
            errors: [{ field: 'serial_number', code: 'taken', message: 'already used' }],
          }),
      });
      const { root, unmount } = await start('/assets/new');
      cleanup = unmount;

      await eventually(() => expect(root.querySelector('form input')).not.toBeNull());
      type(root.querySelector('form input'), 'ThinkPad X1');
      root.querySelector('form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await eventually(() => expect(root.textContent).toContain('This value is already in use.'));

      const sent = http.callsTo('POST /api/v1/assets')[0];
      expect(sent?.body).toMatchObject({ name: 'ThinkPad X1', tag: null });
      expect(sent?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
      const serialField = [...root.querySelectorAll('.form-field')].find((f) => f.textContent?.includes('Serial number'));
      expect(serialField?.textContent).toContain('This value is already in use.');
      expect(serialField?.querySelector('input')?.getAttribute('aria-invalid')).toBe('true');
    });

    it('lists employees and shows the assets one holds', async () => {
      mockFetch(backend);
      const list = await start('/employees');
      await eventually(() => expect(list.root.textContent).toContain('Grace Hopper'));
      expect(list.root.textContent).toContain('Engineering');
      expect(list.root.textContent).toContain('Showing 1 employee (all)');
      list.unmount();

      const detail = await start(`/employees/${employee.id}`);
      cleanup = detail.unmount;
      await eventually(() => expect(detail.root.textContent).toContain('Assets held (1)'));
      expect(detail.root.textContent).toContain('LAP-0001');
    });

    it('edits an asset with If-Match, sending only what changed, and explains a conflict', async () => {
      const http = mockFetch({
        ...backend,
        [`PATCH /api/v1/assets/${laptop.id}`]: () => problemResponse(409, 'version_conflict'),
      });
      const { root, unmount } = await start(`/assets/${laptop.id}/edit`);
      cleanup = unmount;

      await eventually(() => expect(root.textContent).toContain('Edit MacBook Pro 14'));
      const orderField = [...root.querySelectorAll('.form-field')].find((f) => f.textContent?.includes('Order number'));
      type(orderField?.querySelector('input') ?? null, 'PO-77');
      root.querySelector('form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));

      await eventually(() => expect(root.textContent).toContain('Someone else changed this asset meanwhile'));
      const sent = http.callsTo(`PATCH /api/v1/assets/${laptop.id}`)[0];
      expect(sent?.body).toEqual({ order_number: 'PO-77' });
      expect(sent?.headers.get('If-Match')).toBe('"3"');
      expect([...root.querySelectorAll('button')].some((b) => b.textContent?.includes('Reload'))).toBe(true);
    });

    it('lists users from a page body and shows owners the role pickers', async () => {
      mockFetch({
        ...backend,
        'GET /api/v1/users': () =>
          jsonResponse(200, {
            data: [
              { ...tokens.user, status: 'active', last_login_at: null },
              { ...tokens.user, id: 'u2', name: 'Alan Turing', email: 'alan@acme.test', role: 'viewer', status: 'active' },
            ],
            next_cursor: null,
          }),
      });
      const { root, unmount } = await start('/settings/users');
      cleanup = unmount;
      await eventually(() => expect(root.textContent).toContain('Alan Turing'));
      expect(root.textContent).toContain('you');
      expect(root.textContent).toContain('Add user');
      expect(root.querySelectorAll('[aria-label="Role of Alan Turing"]').length).toBe(1);
    });

    it('hides what a viewer cannot do and shows a refused request kindly', async () => {
      const viewer = { ...tokens.user, role: 'viewer' };
      mockFetch({
        ...backend,
        'GET /api/v1/me': () => jsonResponse(200, { user: viewer, tenant: tokens.tenant }),
        'GET /api/v1/api-tokens': () => problemResponse(403, 'forbidden'),
      });
      const { root, unmount } = await start('/assets');
      await eventually(() => expect(root.textContent).toContain('LAP-0001'));
      const menu = root.querySelector('nav[aria-label="Main"]')?.textContent ?? '';
      expect(menu).toContain('Assets');
      expect(menu).not.toContain('Audit log');
      expect(root.textContent).not.toContain('New asset');
      expect(root.textContent).not.toContain('Import CSV');
      expect(root.querySelector('.p-datatable-thead input[type="checkbox"]')).toBeNull();
      unmount();

      const tokensPage = await start('/settings/api-tokens');
      cleanup = tokensPage.unmount;
      await eventually(() => expect(tokensPage.root.textContent).toContain("You don't have permission to do that."));
      expect(tokensPage.root.textContent).not.toContain('API tokens');
    });

    it('shows the dashboard numbers and opens the assets they count', async () => {
      mockFetch(backend);
      const { root, router, unmount } = await start('/');
      cleanup = unmount;
      expect(router.currentRoute.value.name).toBe('dashboard');
      await eventually(() => expect(root.textContent).toContain('Warranty ends ≤ 30 days'));
      const kpis = root.querySelector('[aria-label="Key numbers"]')?.textContent ?? '';
      expect(kpis).toContain('12');
      expect(kpis).toContain('58% of all assets');
      expect(kpis).toContain('3 within 90 days · 1 expired');
      // The charts' numbers are also text, for screen readers.
      expect(root.querySelector('figcaption')?.textContent).toContain('Assigned 7');

      const assigned = [...root.querySelectorAll('button.kpi')].find((b) => b.textContent?.includes('Assigned'));
      (assigned as HTMLButtonElement | undefined)?.click();
      await eventually(() => expect(router.currentRoute.value.name).toBe('assets'));
    });
  });
});
