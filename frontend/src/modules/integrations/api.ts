import { api, send, unwrap } from '@/api/client';
import type { CreateIntegration, Integration, IntegrationTestResult, SyncQueued, SyncRun, WebhookDelivery } from '@/api/types';

export async function listIntegrations(): Promise<Integration[]> {
  return (await unwrap(api.GET('/api/v1/integrations'))).data;
}

export function getIntegration(id: string): Promise<Integration> {
  return unwrap(api.GET('/api/v1/integrations/{id}', { params: { path: { id } } }));
}

/** Connects a provider; the credentials are stored encrypted and never come back. */
export function createIntegration(body: CreateIntegration, idempotencyKey: string): Promise<Integration> {
  return unwrap(api.POST('/api/v1/integrations', { body, headers: { 'Idempotency-Key': idempotencyKey } }));
}

export function deleteIntegration(id: string): Promise<void> {
  return send(api.DELETE('/api/v1/integrations/{id}', { params: { path: { id } } }));
}

/** Calls the vendor with the stored credentials; bad ones mark the integration `needs_attention`. */
export function testIntegration(id: string): Promise<IntegrationTestResult> {
  return unwrap(api.POST('/api/v1/integrations/{id}/test', { params: { path: { id } } }));
}

/** Queues a sync now (202); the run is followed live and at `GET /sync-runs/{id}`. */
export function syncIntegration(id: string): Promise<SyncQueued> {
  return unwrap(api.POST('/api/v1/integrations/{id}/sync', { params: { path: { id } } }));
}

/** Recent runs (at most 100, newest first), of one integration or of all. */
export async function listSyncRuns(integrationId?: string): Promise<SyncRun[]> {
  return (await unwrap(api.GET('/api/v1/sync-runs', { params: { query: { integration_id: integrationId } } }))).data;
}

export function getSyncRun(id: string): Promise<SyncRun> {
  return unwrap(api.GET('/api/v1/sync-runs/{id}', { params: { path: { id } } }));
}

/** The integration's inbound webhook deliveries, newest first, with how each was processed. */
export async function listWebhookDeliveries(id: string): Promise<WebhookDelivery[]> {
  return (await unwrap(api.GET('/api/v1/integrations/{id}/webhook-deliveries', { params: { path: { id } } }))).data;
}
