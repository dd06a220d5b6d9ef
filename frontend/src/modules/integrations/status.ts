import type { IntegrationStatus, SyncRunStatus } from '@/api/types';

type Severity = 'success' | 'info' | 'warn' | 'danger' | 'secondary';

interface Shown {
  label: string;
  severity: Severity;
}

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

/** How to show a status the document types as a string; an unknown one is shown as it comes. */
export function shownStatus<S extends string>(table: Readonly<Record<S, Shown>>, status: string): Shown {
  return status in table ? table[status as S] : { label: status, severity: 'secondary' };
}

export const triggerLabels: Readonly<Record<string, string>> = {
  manual: 'Sync now',
  schedule: 'Schedule',
};
