/**
 * The discrepancies screen and its count in the menu in the whole SPA (happy-dom), with
 * `fetch` mocked and a fake Phoenix server pushing the `discrepancy_*` events of
 * `assets:{tenant_id}`.
 */
import { describe, expect, it } from 'vitest';
import type { Discrepancy, Role } from '@/api/types';
import { eventually, signedInApp } from '@/testing/app';
import { discrepancyFixture } from '@/testing/assets';
import { jsonResponse, mockFetch, problemResponse, tokenBody, type Handler } from '@/testing/http';

const tokens = tokenBody('access-1', 'refresh-1');
const topic = `assets:${tokens.tenant.id}`;
const later = '2026-11-25T11:00:00Z';
const first = discrepancyFixture(1);
const second = discrepancyFixture(2, {
  detail: "The MDM's user is alan.turing.2@acme.example.com, but LAP-0002 is not checked out to anyone",
  facts: { mdm_user_email: 'alan.turing.2@acme.example.com', assigned_email: null },
});
const dismissedEarlier = discrepancyFixture(3, { status: 'dismissed', resolved_at: '2026-11-24T09:00:00Z' });

function backend(role: Role, extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/v1/me': () => jsonResponse(200, { user: { ...tokens.user, role }, tenant: tokens.tenant }),
    'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/assets': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/categories': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/locations': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/models': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/discrepancies': (call) => {
      const lists: Record<string, Discrepancy[]> = { open: [first], dismissed: [dismissedEarlier], resolved: [] };
      return jsonResponse(200, lists[call.query.get('status') ?? ''] ?? []);
    },
    ...extra,
  };
}

const { server, open } = signedInApp();

const menuLink = (root: Element, label: string) =>
  [...(root.querySelector('nav[aria-label="Main"]')?.querySelectorAll('a') ?? [])].find((link) =>
    link.textContent?.trim().startsWith(label),
  );
const badge = (root: Element) => menuLink(root, 'Discrepancies')?.querySelector('[data-testid="nav-badge"]')?.textContent ?? null;
const table = (root: Element) => root.querySelector('[aria-labelledby="discrepancies-title"]')?.textContent ?? '';
const dismissButton = (root: Element, tag: string) => root.querySelector<HTMLButtonElement>(`button[aria-label="Dismiss for ${tag}"]`);

describe('discrepancies', () => {
  it('lists the open ones with their asset, counts them in the menu and follows them live', async () => {
    const dismissed = { ...first, status: 'dismissed', resolved_at: later, updated_at: later };
    const http = mockFetch(backend('admin', { [`POST /api/v1/discrepancies/${first.id}/dismiss`]: () => jsonResponse(200, dismissed) }));
    const { root } = await open('/assets/discrepancies');
    await eventually(() => expect(table(root)).toContain(first.detail));
    expect(root.querySelector(`a[href="/assets/${first.asset_id}"]`)?.textContent?.trim()).toBe('LAP-0001');
    expect(table(root)).toContain('grace@acme.test');
    await eventually(() => expect(badge(root)).toBe('1 open'));

    // A sync elsewhere opens another: it appears, and the count follows.
    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));
    server.last?.push(topic, 'discrepancy_opened', { discrepancy: second });
    await eventually(() => expect(table(root)).toContain('LAP-0002 is not checked out to anyone'));
    expect(table(root)).toContain('Nobody');
    await eventually(() => expect(badge(root)).toBe('2 open'));

    dismissButton(root, 'LAP-0001')?.click();
    await eventually(() => expect(table(root)).not.toContain('LAP-0001'));
    expect(http.callsTo(`POST /api/v1/discrepancies/${first.id}/dismiss`)).toHaveLength(1);
    expect(document.body.textContent).toContain('Dismissed for LAP-0001');
    await eventually(() => expect(badge(root)).toBe('1 open'));

    // The next sync finds the other one agreeing again.
    server.last?.push(topic, 'discrepancy_resolved', {
      discrepancy: { ...second, status: 'resolved', resolved_at: later, updated_at: later },
    });
    await eventually(() => expect(table(root)).toContain('No open discrepancies'));
    expect(badge(root)).toBeNull();
  });

  it('shows the dismissed ones behind the status filter', async () => {
    mockFetch(backend('owner'));
    const { root } = await open('/assets/discrepancies');
    await eventually(() => expect(table(root)).toContain('LAP-0001'));
    root.querySelector<HTMLElement>('form[aria-label="Filter discrepancies"] [role="combobox"]')?.click();
    await eventually(() => expect(document.querySelectorAll('[role="option"]')).toHaveLength(3));
    // A Select picks its option on mousedown.
    [...document.querySelectorAll<HTMLElement>('[role="option"]')]
      .find((option) => option.textContent?.trim() === 'Dismissed')
      ?.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
    await eventually(() => expect(table(root)).toContain('LAP-0003'));
    expect(table(root)).toContain('Dismissed');
    expect(table(root)).not.toContain('LAP-0001');
    expect(dismissButton(root, 'LAP-0003')).toBeNull();
  });

  it('says so when the one dismissed was closed meanwhile, and shows what is open now', async () => {
    let closed = false;
    mockFetch(
      backend('admin', {
        'GET /api/v1/discrepancies': () => jsonResponse(200, closed ? [] : [first]),
        [`POST /api/v1/discrepancies/${first.id}/dismiss`]: () => {
          closed = true;
          return problemResponse(422, 'invalid_transition', { detail: 'the discrepancy is resolved, not open' });
        },
      }),
    );
    const { root } = await open('/assets/discrepancies');
    await eventually(() => expect(dismissButton(root, 'LAP-0001')).not.toBeNull());
    dismissButton(root, 'LAP-0001')?.click();
    await eventually(() => expect(document.body.textContent).toContain('This discrepancy is no longer open'));
    await eventually(() => expect(table(root)).toContain('No open discrepancies'));
  });

  it('is neither in the menu nor loaded for roles that cannot see discrepancies', async () => {
    const http = mockFetch(backend('manager'));
    const { root } = await open('/assets');
    await eventually(() => expect(menuLink(root, 'Assets')).toBeDefined());
    expect(menuLink(root, 'Discrepancies')).toBeUndefined();
    expect(http.callsTo('GET /api/v1/discrepancies')).toHaveLength(0);
  });
});
