import { describe, expect, it } from 'vitest';
import { syncRunFixture } from '@/testing/integrations';
import {
  describeDeviceDetails,
  deviceSyncDetails,
  formatDuration,
  mergeRun,
  nextLiveSync,
  percentDone,
  retryState,
  runDuration,
  syncStats,
  type LiveSync,
} from './sync';

const run = syncRunFixture;

describe('syncStats', () => {
  it('reads the four counts and treats anything else as zero', () => {
    expect(syncStats({ created: 3, updated: 1, unchanged: 7, failed: 0 })).toEqual({ created: 3, updated: 1, unchanged: 7, failed: 0 });
    expect(syncStats({ created: '3', failed: 2 })).toEqual({ created: 0, updated: 0, unchanged: 0, failed: 2 });
    expect(syncStats(null)).toEqual({ created: 0, updated: 0, unchanged: 0, failed: 0 });
  });
});

describe('deviceSyncDetails', () => {
  it('reads what a device sync did besides, and nothing for a people sync', () => {
    const stats = { created: 2, updated: 180, unchanged: 0, failed: 0, ignored: 18, discrepancies_opened: 3, discrepancies_resolved: 1 };
    expect(deviceSyncDetails(stats)).toEqual({ ignored: 18, discrepanciesOpened: 3, discrepanciesResolved: 1 });
    expect(describeDeviceDetails(deviceSyncDetails(stats))).toBe('18 ignored · 3 discrepancies opened · 1 discrepancy resolved');
    expect(describeDeviceDetails(deviceSyncDetails({ ignored: 0, discrepancies_opened: 1 }))).toBe('1 discrepancy opened');
    expect(describeDeviceDetails(deviceSyncDetails({ ignored: 0, discrepancies_opened: 0, discrepancies_resolved: 0 }))).toBeNull();
    expect(deviceSyncDetails({ created: 1, updated: 0, unchanged: 0, failed: 0 })).toBeNull();
    expect(deviceSyncDetails(null)).toBeNull();
  });
});

describe('mergeRun', () => {
  it('adds new runs newest first and replaces a snapshot by a later one', () => {
    let runs = mergeRun([], run('r1', 'succeeded'));
    runs = mergeRun(runs, run('r2', 'queued'));
    expect(runs.map((r) => r.id)).toEqual(['r2', 'r1']);
    runs = mergeRun(runs, run('r2', 'running'));
    runs = mergeRun(runs, run('r2', 'partial'));
    expect(runs.map((r) => `${r.id}:${r.status}`)).toEqual(['r2:partial', 'r1:succeeded']);
  });

  it('never lets an older snapshot overwrite a finished run', () => {
    const runs = mergeRun([run('r2', 'succeeded')], run('r2', 'queued'));
    expect(runs.map((r) => r.status)).toEqual(['succeeded']);
  });

  it('follows a failed attempt queued again for a retry, and its next attempt', () => {
    const retry = run('r3', 'queued', { attempts: 1, next_attempt_at: '2026-11-25T10:05:00Z', error: 'the vendor answered 503' });
    let runs = mergeRun([run('r3', 'running', { attempts: 1 })], retry);
    expect(runs[0]?.next_attempt_at).toBe('2026-11-25T10:05:00Z');
    // The first attempt's `running` arriving late does not hide the retry.
    runs = mergeRun(runs, run('r3', 'running', { attempts: 1 }));
    expect(runs[0]?.status).toBe('queued');
    runs = mergeRun(runs, run('r3', 'running', { attempts: 2 }));
    expect(runs[0]).toMatchObject({ status: 'running', attempts: 2 });
  });
});

describe('retryState', () => {
  it('says when a queued run is retried, and when a run was given up', () => {
    expect(retryState(run('r1', 'queued', { attempts: 2, next_attempt_at: '2026-11-25T10:05:00Z', error: 'rate limited' }))).toEqual({
      kind: 'retrying',
      at: '2026-11-25T10:05:00Z',
      error: 'rate limited',
    });
    expect(retryState(run('r1', 'failed', { attempts: 5, dead: true }))).toEqual({ kind: 'dead', attempts: 5 });
    expect(retryState(run('r1', 'failed', { attempts: 1 }))).toBeNull();
    expect(retryState(run('r1', 'queued'))).toBeNull();
  });
});

describe('nextLiveSync', () => {
  it('follows a run from queued to finished with its progress', () => {
    let live: LiveSync = nextLiveSync(undefined, { event: 'sync_queued', runId: 'r1' });
    expect(live).toMatchObject({ phase: 'queued', runId: 'r1' });
    expect(percentDone(live)).toBeNull();

    live = nextLiveSync(live, { event: 'sync_started' });
    expect(live).toMatchObject({ phase: 'running', runId: 'r1', total: null });

    live = nextLiveSync(live, { event: 'sync_progress', processed: 500, total: 1200, stats: { created: 500 } });
    expect(live).toMatchObject({ phase: 'running', runId: 'r1', processed: 500, total: 1200 });
    expect(live.stats.created).toBe(500);
    expect(percentDone(live)).toBe(42);

    live = nextLiveSync(live, { event: 'sync_finished', status: 'succeeded', stats: { created: 1200 } });
    expect(live).toMatchObject({ phase: 'finished', status: 'succeeded', processed: 1200, total: 1200, runId: 'r1' });
    expect(percentDone(live)).toBe(100);
  });

  it("follows a device sync's details while it runs and from its finish", () => {
    let live = nextLiveSync(undefined, { event: 'sync_queued', runId: 'r1' });
    live = nextLiveSync(live, {
      event: 'sync_progress',
      processed: 200,
      total: 200,
      stats: { created: 0, updated: 1, unchanged: 0, ignored: 199, discrepancies_opened: 1, discrepancies_resolved: 0 },
    });
    expect(live.details).toEqual({ ignored: 199, discrepanciesOpened: 1, discrepanciesResolved: 0 });
    live = nextLiveSync(live, {
      event: 'sync_finished',
      status: 'succeeded',
      stats: { created: 0, updated: 1, unchanged: 0, failed: 0 },
      details: { ignored: 199, discrepancies_opened: 1, discrepancies_resolved: 0 },
    });
    expect(live).toMatchObject({ phase: 'finished', total: 200, details: { ignored: 199, discrepanciesOpened: 1 } });
  });

  it('keeps how far a failed run got, with its error', () => {
    const running = nextLiveSync(undefined, { event: 'sync_progress', processed: 10, total: 40, stats: { created: 10 } });
    const failed = nextLiveSync(running, { event: 'sync_failed', error: 'the vendor answered 503' });
    expect(failed).toMatchObject({ phase: 'failed', processed: 10, total: 40, error: 'the vendor answered 503' });
    expect(failed.stats.created).toBe(10);
  });

  it('keeps a run that failed but will be retried as the same run', () => {
    const running = nextLiveSync(nextLiveSync(undefined, { event: 'sync_queued', runId: 'r1' }), { event: 'sync_started' });
    const failed = nextLiveSync(running, { event: 'sync_failed', error: 'the vendor answered 503', willRetry: true });
    expect(failed).toMatchObject({ phase: 'failed', willRetry: true, runId: 'r1' });
    expect(nextLiveSync(failed, { event: 'sync_started' })).toMatchObject({ phase: 'running', runId: 'r1', willRetry: false });
  });

  it('does not carry a finished run’s id into the next one', () => {
    const finished = nextLiveSync(nextLiveSync(undefined, { event: 'sync_queued', runId: 'r1' }), {
      event: 'sync_finished',
      status: 'succeeded',
      stats: {},
    });
    expect(nextLiveSync(finished, { event: 'sync_started' }).runId).toBeNull();
  });
});

describe('durations', () => {
  it('measures a finished run and says it shortly', () => {
    expect(runDuration({ started_at: '2026-11-25T10:00:00Z', finished_at: '2026-11-25T10:00:02.500Z' })).toBe(2500);
    expect(runDuration({ started_at: '2026-11-25T10:00:00Z', finished_at: null })).toBeNull();
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(120_000)).toBe('2 min');
  });
});
