import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '@/api/errors';
import { freshPinia, jsonResponse, mockFetch, problemResponse } from '@/testing/http';
import { deliveryFixture, integrationFixture, syncRunFixture } from '@/testing/integrations';
import { useIntegrationsStore } from './store';

const bamboo = integrationFixture();
const url = `/api/v1/integrations/${bamboo.id}`;

beforeEach(() => {
  freshPinia();
});

describe('integrations store', () => {
  it('loads the integrations with their recent runs', async () => {
    mockFetch({
      'GET /api/v1/integrations': () => jsonResponse(200, { data: [bamboo], next_cursor: null }),
      'GET /api/v1/sync-runs': () =>
        jsonResponse(200, { data: [syncRunFixture('r2', 'succeeded'), syncRunFixture('r1', 'failed')], next_cursor: null }),
    });
    const store = useIntegrationsStore();
    await store.load();
    expect(store.integrations.map((i) => i.name)).toEqual(['BambooHR']);
    expect(store.lastRun(bamboo.id)?.id).toBe('r2');
    expect(store.busy(bamboo.id)).toBe(false);
  });

  it('shows a queued run at once after "Sync now", then follows it live to the end', async () => {
    const http = mockFetch({
      [`POST ${url}/sync`]: () => jsonResponse(202, { sync_run_id: 'r3' }),
      'GET /api/v1/sync-runs/r3': () => jsonResponse(200, syncRunFixture('r3', 'queued')),
    });
    const store = useIntegrationsStore();
    await store.sync(bamboo);
    expect(http.callsTo(`POST ${url}/sync`)).toHaveLength(1);
    expect(store.live[bamboo.id]).toMatchObject({ phase: 'queued', runId: 'r3' });
    expect(store.runsOf(bamboo.id).map((r) => r.status)).toEqual(['queued']);
    expect(store.busy(bamboo.id)).toBe(true);

    store.receive('sync_started', { integration_id: bamboo.id });
    expect(store.runsOf(bamboo.id).map((r) => r.status)).toEqual(['running']);
    store.receive('sync_progress', { integration_id: bamboo.id, processed: 500, total: 800, stats: { created: 500 } });
    expect(store.live[bamboo.id]).toMatchObject({ phase: 'running', processed: 500, total: 800 });

    store.receive('sync_finished', { integration_id: bamboo.id, status: 'succeeded', stats: { created: 800 } });
    store.receive('sync_run_updated', {
      sync_run: syncRunFixture('r3', 'succeeded', { stats: { created: 800, updated: 0, unchanged: 0, failed: 0 } }),
    });
    expect(store.live[bamboo.id]).toMatchObject({ phase: 'finished', status: 'succeeded' });
    expect(store.runsOf(bamboo.id)[0]?.stats).toMatchObject({ created: 800 });
    expect(store.busy(bamboo.id)).toBe(false);
  });

  it('keeps the live state when the events outran the answer to "Sync now"', async () => {
    mockFetch({
      [`POST ${url}/sync`]: () => jsonResponse(202, { sync_run_id: 'r4' }),
      'GET /api/v1/sync-runs/r4': () => jsonResponse(200, syncRunFixture('r4', 'queued')),
    });
    const store = useIntegrationsStore();
    const pending = store.sync(bamboo);
    store.receive('sync_queued', { sync_run: syncRunFixture('r4', 'queued') });
    store.receive('sync_progress', { integration_id: bamboo.id, processed: 1, total: 2, stats: {} });
    await pending;
    expect(store.live[bamboo.id]).toMatchObject({ phase: 'running', processed: 1, runId: 'r4' });
  });

  it('follows integrations created, changed and deleted elsewhere', () => {
    const store = useIntegrationsStore();
    store.receive('integration_created', { integration: bamboo });
    store.receive('integration_updated', {
      integration: { ...bamboo, status: 'needs_attention', status_detail: 'bad key', updated_at: '2026-11-25T11:00:00Z' },
    });
    expect(store.byId(bamboo.id)?.status).toBe('needs_attention');
    // A stale copy (an answer that crossed the event) does not undo it.
    store.receive('integration_updated', { integration: bamboo });
    expect(store.byId(bamboo.id)?.status_detail).toBe('bad key');
    store.receive('sync_queued', { sync_run: syncRunFixture('r5', 'queued') });
    store.receive('integration_deleted', { integration: { id: bamboo.id } });
    expect(store.integrations).toEqual([]);
    expect(store.runs).toEqual([]);
    expect(store.live[bamboo.id]).toBeUndefined();
  });

  it('learns that a provider is not available when the server says so', async () => {
    mockFetch({
      'POST /api/v1/integrations': () =>
        problemResponse(422, 'validation_failed', {
          errors: [{ field: 'provider', code: 'not_available', message: 'the hibob connector is not available yet' }],
        }),
    });
    const store = useIntegrationsStore();
    const failure = await store
      .create({ provider: 'hibob', config: {}, credentials: { service_user_id: 'u', token: 't' } }, 'key-1')
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect([...store.unavailableProviders]).toEqual(['hibob']);
  });

  it('tests a connection and shows the status it left', async () => {
    mockFetch({
      [`POST ${url}/test`]: () => jsonResponse(200, { ok: false, detail: 'BambooHR refused the API key (401)' }),
      [`GET ${url}`]: () =>
        jsonResponse(200, { ...bamboo, status: 'needs_attention', status_detail: 'BambooHR refused the API key (401)', updated_at: '2026-11-25T12:00:00Z' }),
    });
    const store = useIntegrationsStore();
    store.receive('integration_created', { integration: bamboo });
    const result = await store.test(bamboo);
    expect(result.ok).toBe(false);
    expect(store.byId(bamboo.id)?.status).toBe('needs_attention');
  });

  it('stays busy while a failed run waits for its retry, and shows when it retries', () => {
    const store = useIntegrationsStore();
    store.receive('sync_queued', { sync_run: syncRunFixture('r6', 'queued') });
    store.receive('sync_started', { integration_id: bamboo.id });
    expect(store.runsOf(bamboo.id)[0]).toMatchObject({ status: 'running', attempts: 1 });
    store.receive('sync_failed', { integration_id: bamboo.id, error: 'BambooHR answered 503', will_retry: true });
    store.receive('sync_run_updated', {
      sync_run: syncRunFixture('r6', 'queued', { attempts: 1, next_attempt_at: '2026-11-25T10:01:00Z', error: 'BambooHR answered 503' }),
    });
    expect(store.busy(bamboo.id)).toBe(true);
    expect(store.runsOf(bamboo.id)[0]?.next_attempt_at).toBe('2026-11-25T10:01:00Z');

    store.receive('sync_failed', { integration_id: bamboo.id, error: 'BambooHR answered 503', will_retry: false });
    store.receive('sync_run_updated', { sync_run: syncRunFixture('r6', 'failed', { attempts: 2, dead: true }) });
    expect(store.busy(bamboo.id)).toBe(false);
    expect(store.runsOf(bamboo.id)[0]?.dead).toBe(true);
  });

  it('loads webhook deliveries and follows their processing live', async () => {
    const received = deliveryFixture('d1', 'received');
    mockFetch({ [`GET ${url}/webhook-deliveries`]: () => jsonResponse(200, { data: [received], next_cursor: null }) });
    const store = useIntegrationsStore();
    await store.loadDeliveries(bamboo.id);
    expect(store.deliveriesOf(bamboo.id).map((d) => d.status)).toEqual(['received']);
    store.receive('webhook_processed', {
      delivery: { ...received, status: 'processed', attempts: 1, result: { created: 1 }, processed_at: '2026-11-25T10:00:02Z' },
    });
    store.receive('webhook_processed', { delivery: deliveryFixture('d2', 'dead', { received_at: '2026-11-25T10:00:05Z' }) });
    expect(store.deliveriesOf(bamboo.id).map((d) => `${d.id}:${d.status}`)).toEqual(['d2:dead', 'd1:processed']);
    store.receive('integration_deleted', { integration: { id: bamboo.id } });
    expect(store.deliveries).toEqual([]);
  });

  it('forgets everything on reset', () => {
    const store = useIntegrationsStore();
    store.receive('integration_created', { integration: bamboo });
    store.receive('sync_started', { integration_id: bamboo.id });
    store.$reset();
    expect(store.integrations).toEqual([]);
    expect(store.live).toEqual({});
  });
});
