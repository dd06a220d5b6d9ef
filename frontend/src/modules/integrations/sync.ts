import type { SyncRun } from '@/api/types';
import { countOf } from '@/locale/plural';

/**
 * What a sync did: `{created, updated, unchanged, failed}`. The document types `stats` as a
 * bare object, so it is read field by field here rather than trusted.
 */
export interface SyncStats {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export function syncStats(value: unknown): SyncStats {
  const stats = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return {
    created: count(stats.created),
    updated: count(stats.updated),
    unchanged: count(stats.unchanged),
    failed: count(stats.failed),
  };
}

/**
 * What a device (MDM) sync did besides the four counts: devices left out (no serial number,
 * or unknown while the organization does not create assets for them), and the discrepancies
 * it opened and resolved.
 */
export interface DeviceSyncDetails {
  ignored: number;
  discrepanciesOpened: number;
  discrepanciesResolved: number;
}

/** The device details of a sync's `stats` (or `details`); `null` for a sync that has none (people). */
export function deviceSyncDetails(value: unknown): DeviceSyncDetails | null {
  const stats = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (!['ignored', 'discrepancies_opened', 'discrepancies_resolved'].some((key) => key in stats)) return null;
  return {
    ignored: count(stats.ignored),
    discrepanciesOpened: count(stats.discrepancies_opened),
    discrepanciesResolved: count(stats.discrepancies_resolved),
  };
}

/** "3 ignored · 2 discrepancies opened · 1 resolved", leaving out what is zero; `null` when all are. */
export function describeDeviceDetails(details: DeviceSyncDetails | null): string | null {
  if (!details) return null;
  const parts = [
    details.ignored ? `${details.ignored} ignored` : null,
    details.discrepanciesOpened
      ? `${countOf(details.discrepanciesOpened, 'discrepancy', 'discrepancies')} opened`
      : null,
    details.discrepanciesResolved
      ? `${countOf(details.discrepanciesResolved, 'discrepancy', 'discrepancies')} resolved`
      : null,
  ].filter((part): part is string => part !== null);
  return parts.length ? parts.join(' · ') : null;
}

const finished = new Set(['succeeded', 'partial', 'failed']);

/** True once a run can change no more. */
export function isFinished(run: Pick<SyncRun, 'status'>): boolean {
  return finished.has(run.status);
}

/**
 * How far a run got, so an older snapshot never overwrites a newer one. A run is queued,
 * then each attempt runs; a failed attempt that may pass queues it again (attempts counted),
 * until it finishes: queued (0) → running (1) → queued to retry (2) → running again (3) → …
 */
function stage(run: Pick<SyncRun, 'status' | 'attempts'>): number {
  if (isFinished(run)) return Number.POSITIVE_INFINITY;
  return run.status === 'running' ? 2 * run.attempts - 1 : 2 * run.attempts;
}

/**
 * `runs` (newest first) with `incoming` added or replacing its older snapshot. Answers and
 * events can cross (the `GET` of a queued run may arrive after its `sync_run_updated`), so a
 * snapshot at an earlier stage than the one held is dropped.
 */
export function mergeRun(runs: readonly SyncRun[], incoming: SyncRun): SyncRun[] {
  const held = runs.find((run) => run.id === incoming.id);
  if (held && stage(held) > stage(incoming)) return [...runs];
  const others = runs.filter((run) => run.id !== incoming.id);
  return [incoming, ...others].sort(newestFirst);
}

export function newestFirst(a: SyncRun, b: SyncRun): number {
  return b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);
}

/** A run waiting for its next attempt, or given up after its last one. */
export type RetryState = { kind: 'retrying'; at: string; error: string | null } | { kind: 'dead'; attempts: number } | null;

export function retryState(run: Pick<SyncRun, 'status' | 'dead' | 'attempts' | 'next_attempt_at' | 'error'>): RetryState {
  if (run.dead) return { kind: 'dead', attempts: run.attempts };
  if (run.status === 'queued' && run.next_attempt_at) return { kind: 'retrying', at: run.next_attempt_at, error: run.error ?? null };
  return null;
}

/** A run's wall time in milliseconds, once it has started and finished. */
export function runDuration(run: Pick<SyncRun, 'started_at' | 'finished_at'>): number | null {
  if (!run.started_at || !run.finished_at) return null;
  const ms = Date.parse(run.finished_at) - Date.parse(run.started_at);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** "850 ms", "12 s", "3 min 5 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** The sync of one integration as seen live on its channel. */
export interface LiveSync {
  phase: 'queued' | 'running' | 'finished' | 'failed';
  /** The run, when known (from `sync_queued` or the answer to "Sync now"). */
  runId: string | null;
  /** Records handled so far and in all; unknown until the vendor has answered. */
  processed: number | null;
  total: number | null;
  stats: SyncStats;
  /** What a device sync did besides (`null` for people). */
  details: DeviceSyncDetails | null;
  /** `succeeded` or `partial` once finished. */
  status: string | null;
  error: string | null;
  /** A failed attempt whose run is queued again (`sync_failed` with `will_retry`). */
  willRetry: boolean;
}

const zero: SyncStats = { created: 0, updated: 0, unchanged: 0, failed: 0 };

export function queued(runId: string | null): LiveSync {
  return {
    phase: 'queued',
    runId,
    processed: null,
    total: null,
    stats: zero,
    details: null,
    status: null,
    error: null,
    willRetry: false,
  };
}

/** The next state of an integration's live sync for one event of the channel. */
export type SyncEvent =
  | { event: 'sync_queued'; runId: string }
  | { event: 'sync_started' }
  | { event: 'sync_progress'; processed: number; total: number; stats: unknown }
  | { event: 'sync_finished'; status: string; stats: unknown; details?: unknown }
  | { event: 'sync_failed'; error: string; willRetry?: boolean };

export function nextLiveSync(current: LiveSync | undefined, change: SyncEvent): LiveSync {
  // A run's own id survives its later events (which name only the integration), and its retries.
  const runId = current && (isInProgress(current) || current.willRetry) ? current.runId : null;
  switch (change.event) {
    case 'sync_queued':
      return queued(change.runId);
    case 'sync_started':
      return { ...queued(runId), phase: 'running' };
    case 'sync_progress':
      return {
        ...queued(runId),
        phase: 'running',
        processed: change.processed,
        total: change.total,
        stats: syncStats(change.stats),
        details: deviceSyncDetails(change.stats),
      };
    case 'sync_finished': {
      const stats = syncStats(change.stats);
      const handled = stats.created + stats.updated + stats.unchanged + stats.failed;
      return {
        ...queued(runId),
        phase: 'finished',
        processed: current?.total ?? handled,
        total: current?.total ?? handled,
        stats,
        details: deviceSyncDetails(change.details) ?? deviceSyncDetails(change.stats),
        status: change.status,
      };
    }
    case 'sync_failed':
      return {
        ...queued(runId),
        phase: 'failed',
        processed: current?.processed ?? null,
        total: current?.total ?? null,
        stats: current?.stats ?? zero,
        details: current?.details ?? null,
        error: change.error,
        willRetry: change.willRetry ?? false,
      };
  }
}

/** Queued or running now. */
export function isInProgress(live: LiveSync): boolean {
  return live.phase === 'queued' || live.phase === 'running';
}

/** Percent done for a progress bar; `null` while the total is unknown. */
export function percentDone(live: LiveSync): number | null {
  if (live.phase === 'finished') return 100;
  if (live.total === null || live.processed === null) return null;
  if (live.total === 0) return 100;
  return Math.min(100, Math.round((live.processed / live.total) * 100));
}
