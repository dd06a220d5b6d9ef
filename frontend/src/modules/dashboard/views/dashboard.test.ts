/** The dashboard in the whole SPA (happy-dom), with `fetch` mocked. */
import { describe, expect, it } from 'vitest';
import type { Role } from '@/api/types';
import { eventually, signedInApp } from '@/testing/app';
import { jsonResponse, mockFetch, tokenBody, type Handler } from '@/testing/http';

const tokens = tokenBody('access-1', 'refresh-1');
const empty = {
  total_assets: 0,
  assigned: 0,
  in_stock: 0,
  warranty_expiring_30_days: 0,
  warranty_expiring_90_days: 0,
  warranty_expired: 0,
  by_status: [],
  by_category: [],
  generated_at: '2026-11-25T12:00:00Z',
};

function backend(role: Role): Record<string, Handler> {
  return {
    'GET /api/v1/me': () => jsonResponse(200, { user: { ...tokens.user, role }, tenant: tokens.tenant }),
    'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/discrepancies': () => jsonResponse(200, []),
    'GET /api/v1/dashboard': () => jsonResponse(200, empty),
    'GET /api/v1/categories': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/locations': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/models': () => jsonResponse(200, { data: [], next_cursor: null }),
  };
}

const { open } = signedInApp();
const link = (root: Element, text: string) =>
  [...root.querySelectorAll('a')].find((candidate) => candidate.textContent?.trim() === text);

describe('an empty dashboard', () => {
  it('offers to add an asset as well as to import a CSV', async () => {
    mockFetch(backend('admin'));
    const { root, router } = await open('/dashboard');
    await eventually(() => expect(root.textContent).toContain('No assets yet'));
    expect(link(root, 'Import a CSV')?.getAttribute('href')).toBe(router.resolve({ name: 'asset-import' }).href);
    expect(link(root, 'Add an asset')?.getAttribute('href')).toBe(router.resolve({ name: 'asset-new' }).href);

    link(root, 'Add an asset')?.click();
    await eventually(() => expect(router.currentRoute.value.name).toBe('asset-new'));
    await eventually(() => expect(root.querySelector('h1')?.textContent).toBe('New asset'));
  });

  it('offers neither to those who cannot add assets', async () => {
    mockFetch(backend('viewer'));
    const { root } = await open('/dashboard');
    await eventually(() => expect(root.textContent).toContain('No assets yet'));
    expect(link(root, 'Add an asset')).toBeUndefined();
    expect(link(root, 'Import a CSV')).toBeUndefined();
  });
});
