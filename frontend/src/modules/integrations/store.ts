import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError } from '@/api/errors';
import type { CreateIntegration, Integration, IntegrationTestResult, SyncRun, WebhookDelivery } from '@/api/types';
import type { IntegrationEvents } from '@/realtime/topics';
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  getSyncRun,
  listIntegrations,
  listSyncRuns,
  listWebhookDeliveries,
  syncIntegration,
  testIntegration,
} from './api';
import { isFinished, isInProgress, mergeRun, nextLiveSync, queued, type LiveSync, type SyncEvent } from './sync';

/** True when the server said the provider's connector is not offered (yet). */
export function isProviderUnavailable(error: ApiError): boolean {
  return error.fieldErrors.some((field) => field.field === 'provider' && field.code === 'not_available');
}

/**
 * The tenant's integrations and their sync runs, kept current by the `integrations` channel
 * (see `useIntegrationsLive`): the list, each integration's live sync (progress while it
 * runs), and the providers the server refused as not available.
 */
export const useIntegrationsStore = defineStore('integrations', () => {
  const integrations = shallowRef<readonly Integration[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = shallowRef<ApiError | null>(null);
  /** Runs seen so far, of every integration, newest first. */
  const runs = shallowRef<readonly SyncRun[]>([]);
  const live = shallowRef<Readonly<Record<string, LiveSync>>>({});
  const unavailableProviders = shallowRef<ReadonlySet<string>>(new Set());
  /** Webhook deliveries seen so far, of every integration, newest first. */
  const deliveries = shallowRef<readonly WebhookDelivery[]>([]);

  const byId = computed(() => (id: string) => integrations.value.find((integration) => integration.id === id));
  const runsOf = computed(() => (id: string) => runs.value.filter((run) => run.integration_id === id));
  /** The newest run of each integration. */
  const lastRun = computed(() => (id: string) => runs.value.find((run) => run.integration_id === id));
  const deliveriesOf = computed(() => (id: string) => deliveries.value.filter((delivery) => delivery.integration_id === id));
  /** Whether a sync of the integration is queued, running or waiting for a retry (seen live or in its newest run). */
  const busy = computed(() => (id: string): boolean => {
    const now = live.value[id];
    if (now) return isInProgress(now) || now.willRetry;
    const newest = lastRun.value(id);
    return newest !== undefined && !isFinished(newest);
  });

  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      const [list, recent] = await Promise.all([listIntegrations(), listSyncRuns()]);
      integrations.value = list;
      for (const run of recent) runs.value = mergeRun(runs.value, run);
      loaded.value = true;
    } catch (caught) {
      error.value = ApiError.from(caught);
    } finally {
      loading.value = false;
    }
  }

  /** Loads one integration (e.g. opened by its address) and keeps it in the list. */
  async function loadOne(id: string): Promise<Integration> {
    const integration = await getIntegration(id);
    upsert(integration);
    return integration;
  }

  async function loadRuns(id: string): Promise<void> {
    for (const run of await listSyncRuns(id)) runs.value = mergeRun(runs.value, run);
  }

  async function loadDeliveries(id: string): Promise<void> {
    for (const delivery of await listWebhookDeliveries(id)) mergeDelivery(delivery);
  }

  function mergeDelivery(delivery: WebhookDelivery): void {
    const others = deliveries.value.filter((held) => held.id !== delivery.id);
    deliveries.value = [delivery, ...others].sort(
      (a, b) => b.received_at.localeCompare(a.received_at) || b.id.localeCompare(a.id),
    );
  }

  function upsert(integration: Integration): void {
    const held = byId.value(integration.id);
    // An answer older than what an event already brought is dropped.
    if (held && held.updated_at > integration.updated_at) return;
    integrations.value = held
      ? integrations.value.map((row) => (row.id === integration.id ? integration : row))
      : [...integrations.value, integration];
  }

  function forget(id: string): void {
    integrations.value = integrations.value.filter((integration) => integration.id !== id);
    runs.value = runs.value.filter((run) => run.integration_id !== id);
    deliveries.value = deliveries.value.filter((delivery) => delivery.integration_id !== id);
    const { [id]: _gone, ...rest } = live.value;
    live.value = rest;
  }

  function learnUnavailable(provider: string, caught: unknown): void {
    const problem = ApiError.from(caught);
    if (isProviderUnavailable(problem)) unavailableProviders.value = new Set([...unavailableProviders.value, provider]);
  }

  async function create(body: CreateIntegration, idempotencyKey: string): Promise<Integration> {
    try {
      const created = await createIntegration(body, idempotencyKey);
      upsert(created);
      return created;
    } catch (caught) {
      learnUnavailable(body.provider, caught);
      throw caught;
    }
  }

  async function test(integration: Integration): Promise<IntegrationTestResult> {
    try {
      const result = await testIntegration(integration.id);
      // The new status also comes as `integration_updated`; this covers a quiet channel.
      await loadOne(integration.id).catch(() => undefined);
      return result;
    } catch (caught) {
      learnUnavailable(integration.provider, caught);
      throw caught;
    }
  }

  /** "Sync now": queues a run and shows it at once, before (or without) its live events. */
  async function sync(integration: Integration): Promise<string> {
    let runId: string;
    try {
      runId = (await syncIntegration(integration.id)).sync_run_id;
    } catch (caught) {
      learnUnavailable(integration.provider, caught);
      throw caught;
    }
    if (live.value[integration.id]?.runId !== runId) setLive(integration.id, queued(runId));
    const run = await getSyncRun(runId).catch(() => null);
    if (run) runs.value = mergeRun(runs.value, run);
    return runId;
  }

  async function remove(integration: Integration): Promise<void> {
    await deleteIntegration(integration.id);
    forget(integration.id);
  }

  function setLive(id: string, state: LiveSync): void {
    live.value = { ...live.value, [id]: state };
  }

  function progress(id: string, change: SyncEvent): void {
    setLive(id, nextLiveSync(live.value[id], change));
  }

  /** What each event of the `integrations:{tenant_id}` channel changes. */
  const handlers: { [K in keyof IntegrationEvents]: (payload: IntegrationEvents[K]) => void } = {
    sync_queued: ({ sync_run }) => {
      runs.value = mergeRun(runs.value, sync_run);
      progress(sync_run.integration_id, { event: 'sync_queued', runId: sync_run.id });
    },
    sync_started: ({ integration_id }) => {
      progress(integration_id, { event: 'sync_started' });
      // The run's row says `running` (one more attempt) from now on; its `sync_run_updated` may come later.
      const runId = live.value[integration_id]?.runId;
      const run = runs.value.find((held) => held.id === runId);
      if (run && run.status === 'queued') {
        runs.value = mergeRun(runs.value, { ...run, status: 'running', attempts: run.attempts + 1, next_attempt_at: null });
      }
    },
    sync_progress: ({ integration_id, processed, total, stats }) =>
      progress(integration_id, { event: 'sync_progress', processed, total, stats }),
    sync_finished: ({ integration_id, status, stats, details }) =>
      progress(integration_id, { event: 'sync_finished', status, stats, details }),
    sync_failed: ({ integration_id, error: failure, will_retry }) =>
      progress(integration_id, { event: 'sync_failed', error: failure, willRetry: will_retry ?? false }),
    sync_run_updated: ({ sync_run }) => {
      runs.value = mergeRun(runs.value, sync_run);
    },
    integration_created: ({ integration }) => upsert(integration),
    integration_updated: ({ integration }) => upsert(integration),
    integration_deleted: ({ integration }) => forget(integration.id),
    webhook_processed: ({ delivery }) => mergeDelivery(delivery),
  };

  /** Applies one event of the `integrations:{tenant_id}` channel. */
  function receive<K extends keyof IntegrationEvents>(event: K, payload: IntegrationEvents[K]): void {
    handlers[event](payload);
  }

  function $reset(): void {
    integrations.value = [];
    loaded.value = false;
    loading.value = false;
    error.value = null;
    runs.value = [];
    live.value = {};
    unavailableProviders.value = new Set();
    deliveries.value = [];
  }

  return {
    integrations,
    loaded,
    loading,
    error,
    runs,
    live,
    unavailableProviders,
    deliveries,
    byId,
    runsOf,
    lastRun,
    deliveriesOf,
    busy,
    load,
    loadOne,
    loadRuns,
    loadDeliveries,
    create,
    test,
    sync,
    remove,
    receive,
    $reset,
  };
});
