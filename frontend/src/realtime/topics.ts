import type { Asset, Discrepancy, Employee, Integration, SyncRun, WebhookDelivery, Workflow, WorkflowTemplate } from '@/api/types';

/**
 * Events on `assets:{tenant_id}`; each carries the asset, or the discrepancy
 * (`backend/src/assets/devices.rs`), as the REST API returns it.
 */
export interface AssetEvents {
  asset_created: { asset: Asset };
  asset_updated: { asset: Asset };
  asset_deleted: { asset: Asset };
  asset_checked_out: { asset: Asset };
  asset_checked_in: { asset: Asset };
  /** An MDM sync found the MDM's user is not the asset's holder (or found other such facts). */
  discrepancy_opened: { discrepancy: Discrepancy };
  /** A sync found the sources agree again. */
  discrepancy_resolved: { discrepancy: Discrepancy };
  /** An admin dismissed it. */
  discrepancy_dismissed: { discrepancy: Discrepancy };
}

/** Events on `employees:{tenant_id}`. */
export interface EmployeeEvents {
  employee_created: { employee: Employee };
  employee_updated: { employee: Employee };
}

/**
 * Events on `integrations:{tenant_id}` (`backend/src/integrations/service.rs`). A sync run
 * goes `sync_queued` → `sync_started` → `sync_progress`* → `sync_finished` | `sync_failed`,
 * then `sync_run_updated` with the run as recorded. `stats` is `{created, updated,
 * unchanged, failed}`, read with `syncStats`; a device (MDM) sync's also says what else it
 * did (`ignored`, `discrepancies_opened`, `discrepancies_resolved`: in `stats` while it runs,
 * in `details` when it finishes, merged into the run's `stats`), read with `deviceSyncDetails`.
 */
export interface IntegrationEvents {
  sync_queued: { sync_run: SyncRun };
  sync_started: { integration_id: string };
  sync_progress: { integration_id: string; processed: number; total: number; stats: unknown };
  sync_finished: { integration_id: string; status: string; stats: unknown; details?: unknown };
  /** `will_retry`: the run is queued again (its `next_attempt_at` comes with `sync_run_updated`). */
  sync_failed: { integration_id: string; error: string; will_retry?: boolean };
  sync_run_updated: { sync_run: SyncRun };
  integration_created: { integration: Integration };
  integration_updated: { integration: Integration };
  integration_deleted: { integration: { id: string } };
  /** A webhook delivery was processed, is to be retried, or was given up (`dead`). */
  webhook_processed: { delivery: WebhookDelivery };
}

/**
 * Events on `workflows:{tenant_id}` (`backend/src/workflows/service.rs`): a workflow opened
 * (by a sync, a webhook or by hand), any change of a workflow or its steps, and a template
 * saved. Each carries the whole record as the REST API returns it.
 */
export interface WorkflowEvents {
  workflow_opened: { workflow: Workflow };
  workflow_updated: { workflow: Workflow };
  template_updated: { template: WorkflowTemplate };
}

export const assetsTopic = (tenantId: string): string => `assets:${tenantId}`;
export const employeesTopic = (tenantId: string): string => `employees:${tenantId}`;
export const workflowsTopic = (tenantId: string): string => `workflows:${tenantId}`;
export const integrationsTopic = (tenantId: string): string => `integrations:${tenantId}`;
export const presenceTopic = (tenantId: string): string => `presence:${tenantId}`;
