/**
 * The asset screens' device, purchase and report parts in the whole SPA (happy-dom), with
 * `fetch` mocked.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Role } from '@/api/types';
import { button, eventually, signedInApp } from '@/testing/app';
import { assetFixture } from '@/testing/assets';
import { jsonResponse, mockFetch, problemResponse, tokenBody, type Handler } from '@/testing/http';
import { integrationFixture } from '@/testing/integrations';

const tokens = tokenBody('access-1', 'refresh-1');
const jamf = integrationFixture({ id: '0190b7a4-0000-7000-8000-0000000001c3', provider: 'jamf', name: 'Jamf (Acme)' });
const grace = { id: '0190b7a4-0000-7000-8000-0000000000e1', name: 'Grace Hopper', email: 'grace@acme.test' };
const managed = assetFixture(1, {
  name: 'MacBook Pro 14',
  serial_number: 'JMF000000001',
  status: 'assigned',
  assigned_to: grace,
  purchase_date: '2025-11-10',
  cost: { amount: '2499.00', currency: 'USD' },
  depreciation_months: 36,
  book_value: { amount: '1666.00', currency: 'USD' },
  device: {
    integration_id: jamf.id,
    os_name: 'macOS',
    os_version: '14.5',
    last_check_in_at: new Date(Date.now() - 3 * 86_400_000).toISOString(),
    user_email: 'ada.lovelace.1@acme.example.com',
    synced_at: '2026-11-25T11:00:00Z',
  },
});
const unmanaged = assetFixture(2, { name: 'Dell U2723QE', depreciation_months: 60 });

function backend(role: Role, extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/v1/me': () => jsonResponse(200, { user: { ...tokens.user, role }, tenant: tokens.tenant }),
    'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/discrepancies': () => jsonResponse(200, []),
    'GET /api/v1/assets': () => jsonResponse(200, { data: [managed, unmanaged], next_cursor: null }),
    [`GET /api/v1/assets/${managed.id}`]: () => jsonResponse(200, managed),
    [`GET /api/v1/assets/${managed.id}/history`]: () => jsonResponse(200, { data: [], next_cursor: null }),
    [`GET /api/v1/assets/${unmanaged.id}`]: () => jsonResponse(200, unmanaged),
    [`GET /api/v1/assets/${unmanaged.id}/history`]: () => jsonResponse(200, { data: [], next_cursor: null }),
    [`GET /api/v1/integrations/${jamf.id}`]: () => jsonResponse(200, jamf),
    'GET /api/v1/categories': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/locations': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/models': () => jsonResponse(200, { data: [], next_cursor: null }),
    ...extra,
  };
}

const { open } = signedInApp();
const panel = (root: Element, name: 'device' | 'purchase') => root.querySelector(`[data-testid="asset-${name}"]`)?.textContent ?? '';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('asset detail', () => {
  it('shows what the MDM reports about the device, and which integration reported it', async () => {
    mockFetch(backend('admin'));
    const { root } = await open(`/assets/${managed.id}`);
    await eventually(() => expect(panel(root, 'device')).toContain('macOS 14.5'));
    expect(panel(root, 'device')).toContain(new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(-3, 'day'));
    expect(panel(root, 'device')).toContain('ada.lovelace.1@acme.example.com');
    expect(root.querySelector('[data-testid="device-user-differs"]')?.textContent).toContain('Not the holder');
    await eventually(() => expect(root.querySelector(`a[href="/integrations/${jamf.id}"]`)?.textContent?.trim()).toBe('Jamf (Acme)'));
    expect(panel(root, 'device')).toContain('(Jamf Pro)');
  });

  it('shows the purchase with its depreciation and book value', async () => {
    mockFetch(backend('viewer'));
    const { root } = await open(`/assets/${managed.id}`);
    await eventually(() => expect(panel(root, 'purchase')).toContain('36 months, straight line'));
    const money = (amount: number) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(amount);
    expect(panel(root, 'purchase')).toContain(money(2499));
    expect(root.querySelector('[data-testid="book-value"]')?.textContent?.trim()).toBe(money(1666));
    // Viewers do not read integrations: the device says only that it is managed.
    expect(panel(root, 'device')).toContain('Device management');
  });

  it('has no device panel for an asset no MDM manages, and says why it has no book value', async () => {
    const http = mockFetch(backend('admin'));
    const { root } = await open(`/assets/${unmanaged.id}`);
    await eventually(() => expect(panel(root, 'purchase')).toContain('60 months'));
    expect(root.querySelector('[data-testid="asset-device"]')).toBeNull();
    expect(root.querySelector('[data-testid="book-value"]')?.textContent).toContain('needs a cost and a purchase date');
    expect(http.callsTo(`GET /api/v1/integrations/${jamf.id}`)).toHaveLength(0);
  });
});

describe('depreciation schedule', () => {
  it('downloads the CSV with the session token and saves it as a file', async () => {
    const csv = 'asset_tag,period,ends_on,depreciation,accumulated,book_value\r\nLAP-0001,1,2025-12-10,69.42,69.42,2429.58\r\n';
    const http = mockFetch(
      backend('admin', {
        'GET /api/v1/reports/depreciation.csv': () =>
          new Response(csv, { status: 200, headers: { 'Content-Type': 'text/csv; charset=utf-8' } }),
      }),
    );
    const saved: { name: string; blob: Blob | null }[] = [];
    let made: Blob | null = null;
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      made = blob as Blob;
      return 'blob:depreciation';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, blob: made });
    });

    const { root } = await open('/assets');
    await eventually(() => expect(button(root, 'Download depreciation schedule (CSV)')).toBeDefined());
    button(root, 'Download depreciation schedule (CSV)')?.click();
    await eventually(() => expect(saved).toHaveLength(1));
    expect(http.callsTo('GET /api/v1/reports/depreciation.csv')[0]?.authorization).toBe('Bearer access-1');
    expect(saved[0]?.name).toMatch(/^depreciation-schedule-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(await saved[0]?.blob?.text()).toBe(csv);
  });

  it('says why a refused download failed, and is not offered to those it would be refused', async () => {
    mockFetch(backend('admin', { 'GET /api/v1/reports/depreciation.csv': () => problemResponse(403, 'forbidden') }));
    const { root, unmount } = await open('/assets');
    await eventually(() => expect(button(root, 'Download depreciation schedule (CSV)')).toBeDefined());
    button(root, 'Download depreciation schedule (CSV)')?.click();
    await eventually(() => expect(document.body.textContent).toContain('Only admins and owners can download reports.'));
    unmount();
    document.body.innerHTML = '';

    mockFetch(backend('manager'));
    const second = await open('/assets');
    await eventually(() => expect(second.root.textContent).toContain('Export CSV'));
    expect(button(second.root, 'Download depreciation schedule (CSV)')).toBeUndefined();
  });
});
