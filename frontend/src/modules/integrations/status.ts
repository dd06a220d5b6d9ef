import type { IntegrationStatus, SyncRunStatus, WebhookDeliveryStatus } from '@/api/types';
import type { Shown } from '@/components/status';

export const integrationStatuses: Readonly<Record<IntegrationStatus, Shown>> = {
  active: { label: 'Active', severity: 'success' },
  needs_attention: { label: 'Needs attention', severity: 'warn' },
  disabled: { label: 'Disabled', severity: 'secondary' },
};

export const syncRunStatuses: Readonly<Record<SyncRunStatus, Shown>> = {
  queued: { label: 'Queued', severity: 'secondary' },
  running: { label: 'Running', severity: 'info' },
  succeeded: { label: 'Succeeded', severity: 'success' },
  partial: { label: 'Partly failed', severity: 'warn' },
  failed: { label: 'Failed', severity: 'danger' },
};

export const deliveryStatuses: Readonly<Record<WebhookDeliveryStatus, Shown>> = {
  received: { label: 'Received', severity: 'secondary' },
  processing: { label: 'Processing', severity: 'info' },
  retrying: { label: 'Retrying', severity: 'warn' },
  processed: { label: 'Processed', severity: 'success' },
  dead: { label: 'Gave up', severity: 'danger' },
};

export const triggerLabels: Readonly<Record<string, string>> = {
  manual: 'Sync now',
  schedule: 'Schedule',
  webhook: 'Webhook',
};
