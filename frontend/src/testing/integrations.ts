import type { Integration, SyncRun, WebhookDelivery } from '@/api/types';

/** A BambooHR integration as `GET /integrations/{id}` answers, with `extra` on top. */
export function integrationFixture(extra: Partial<Integration> = {}): Integration {
  return {
    id: '0190b7a4-0000-7000-8000-0000000001a1',
    provider: 'bamboohr',
    name: 'BambooHR',
    config: { subdomain: 'acme' },
    credentials_set: ['api_key'],
    status: 'active',
    status_detail: null,
    schedule: null,
    next_sync_at: null,
    last_tested_at: null,
    version: 1,
    created_at: '2026-11-25T10:00:00Z',
    updated_at: '2026-11-25T10:00:00Z',
    ...extra,
  };
}

/** A sync run of `integrationFixture()`; ids ending in a digit sort by it. */
export function syncRunFixture(id: string, status: string, extra: Partial<SyncRun> = {}): SyncRun {
  return {
    id,
    integration_id: integrationFixture().id,
    trigger: 'manual',
    status,
    stats: { created: 0, updated: 0, unchanged: 0, failed: 0 },
    error: null,
    attempts: status === 'queued' ? 0 : 1,
    next_attempt_at: null,
    dead: false,
    created_at: `2026-11-25T10:00:0${id.slice(-1)}Z`,
    started_at: null,
    finished_at: null,
    ...extra,
  };
}

/** A webhook delivery to `integrationFixture()`, as `GET /integrations/{id}/webhook-deliveries` lists it. */
export function deliveryFixture(id: string, status: string, extra: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id,
    integration_id: integrationFixture().id,
    provider: 'bamboohr',
    event_type: 'employee.created',
    status,
    attempts: status === 'received' ? 0 : 1,
    error: status === 'dead' ? 'BambooHR answered 503' : null,
    result: {},
    received_at: '2026-11-25T10:00:00Z',
    next_attempt_at: null,
    processed_at: null,
    ...extra,
  };
}
