/**
 * The shell at start-up (whole SPA in happy-dom, `fetch` mocked, a fake Phoenix server): what
 * the menu counts is fetched once, however the first screen and the socket's joins interleave.
 */
import { describe, expect, it } from 'vitest';
import type { Role } from '@/api/types';
import { eventually, settle, signedInApp } from '@/testing/app';
import { jsonResponse, mockFetch, tokenBody, type Handler } from '@/testing/http';

const tokens = tokenBody('access-1', 'refresh-1');
const workflowsTopic = `workflows:${tokens.tenant.id}`;
const assetsTopic = `assets:${tokens.tenant.id}`;

function backend(role: Role): Record<string, Handler> {
  return {
    'GET /api/v1/me': () => jsonResponse(200, { user: { ...tokens.user, role }, tenant: tokens.tenant }),
    'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/discrepancies': () => jsonResponse(200, []),
    'GET /api/v1/dashboard': () =>
      jsonResponse(200, {
        total_assets: 0,
        assigned: 0,
        in_stock: 0,
        warranty_expiring_30_days: 0,
        warranty_expiring_90_days: 0,
        warranty_expired: 0,
        by_status: [],
        by_category: [],
        generated_at: '2026-11-25T12:00:00Z',
      }),
  };
}

const { server, open } = signedInApp();

describe('start-up', () => {
  for (const path of ['/dashboard', '/approvals', '/discrepancies']) {
    it(`fetches the approvals and the open discrepancies once when the app opens at ${path}`, async () => {
      const http = mockFetch(backend('admin'));
      await open(path);
      await eventually(() => expect(server.last?.hasJoined(workflowsTopic)).toBe(true));
      await eventually(() => expect(server.last?.hasJoined(assetsTopic)).toBe(true));
      await settle();
      await settle();
      expect(http.callsTo('GET /api/v1/approvals')).toHaveLength(1);
      expect(http.callsTo('GET /api/v1/discrepancies')).toHaveLength(1);
    });
  }

  it('fetches them again after the socket rejoins, which may have missed events', async () => {
    const http = mockFetch(backend('admin'));
    await open('/dashboard');
    await eventually(() => expect(server.last?.hasJoined(workflowsTopic)).toBe(true));
    await eventually(() => expect(server.last?.hasJoined(assetsTopic)).toBe(true));
    await settle();
    expect(http.callsTo('GET /api/v1/approvals')).toHaveLength(1);
    expect(http.callsTo('GET /api/v1/discrepancies')).toHaveLength(1);

    // The server drops both channels; phoenix.js joins them again a second later.
    for (const topic of [workflowsTopic, assetsTopic]) server.last?.push(topic, 'phx_error', {});
    await eventually(() => expect(http.callsTo('GET /api/v1/approvals')).toHaveLength(2));
    await eventually(() => expect(http.callsTo('GET /api/v1/discrepancies')).toHaveLength(2));
  });
});
