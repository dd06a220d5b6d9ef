/** The audit log in the whole SPA (happy-dom), with `fetch` mocked. */
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '@/api/types';
import { eventually, signedInApp } from '@/testing/app';
import { jsonResponse, mockFetch, tokenBody } from '@/testing/http';

const tokens = tokenBody('access-1', 'refresh-1');
const laptops = { id: '0190b7a4-0000-7000-8000-0000000000c1', name: 'Laptops', depreciation_months: 36 };
const entry: AuditEvent = {
  id: '0190b7a4-0000-7000-8000-0000000000f1',
  seq: 1,
  occurred_at: '2026-11-25T11:00:00Z',
  actor: { type: 'user', id: tokens.user.id, name: 'Ada Lovelace' },
  action: 'asset.updated',
  entity_type: 'asset',
  entity_id: '0190b7a4-0000-7000-8000-0000000000a1',
  // The document types `changes` as an empty object; the wire carries {field: {from, to}}.
  changes: {
    status: { from: 'in_stock', to: 'in_repair' },
    serial_number: { from: 'C02XYZ', to: 'C02XYZ-1' },
    category_id: { from: null, to: laptops.id },
  } as AuditEvent['changes'],
  ip: null,
  request_id: null,
  hash: 'abc',
};

const { open } = signedInApp();

describe('audit log', () => {
  it('words each change with the labels of the app, and counts one entry as one', async () => {
    mockFetch({
      'GET /api/v1/me': () => jsonResponse(200, { user: tokens.user, tenant: tokens.tenant }),
      'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
      'GET /api/v1/discrepancies': () => jsonResponse(200, []),
      'GET /api/v1/audit-events': () => jsonResponse(200, { data: [entry], next_cursor: null }),
      'GET /api/v1/audit-events/verify': () => jsonResponse(200, { ok: true, checked: 1 }),
      'GET /api/v1/categories': () => jsonResponse(200, { data: [laptops], next_cursor: null }),
      'GET /api/v1/locations': () => jsonResponse(200, { data: [], next_cursor: null }),
      'GET /api/v1/models': () => jsonResponse(200, { data: [], next_cursor: null }),
    });
    const { root } = await open('/audit');
    await eventually(() => expect(root.textContent).toContain('Status: In stock → In repair'));
    expect(root.textContent).toContain('Serial number: C02XYZ → C02XYZ-1');
    await eventually(() => expect(root.textContent).toContain('Category: — → Laptops'));
    expect(root.textContent).not.toMatch(/in_stock|serial_number/);
    expect(root.textContent).toContain('Showing 1 entry (all)');
    await eventually(() => expect(root.querySelector('[data-testid="chain-status"]')?.textContent).toContain('Chain intact: 1 entry verified.'));
  });
});
