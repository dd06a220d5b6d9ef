import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/errors';
import { runBulk, useBulkRun } from './useBulkRun';

const noWait = () => Promise.resolve();

describe('runBulk', () => {
  it('runs one task per item with its own key and keeps the input order', async () => {
    const seen: { item: number; key: string }[] = [];
    const outcomes = await runBulk(
      [3, 1, 2],
      async (item, key) => {
        seen.push({ item, key });
        await new Promise((r) => setTimeout(r, item));
        return item * 10;
      },
      { concurrency: 2 },
    );
    expect(outcomes.map((o) => (o.ok ? o.value : null))).toEqual([30, 10, 20]);
    expect(new Set(seen.map((s) => s.key)).size).toBe(3);
    for (const { key } of seen) expect(key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never runs more than `concurrency` tasks at once', async () => {
    let running = 0;
    let peak = 0;
    await runBulk(
      Array.from({ length: 10 }, (_, i) => i),
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1));
        running -= 1;
      },
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
  });

  it('reports a failure per item and carries on with the rest', async () => {
    const outcomes = await runBulk(['a', 'b', 'c'], async (item) => {
      if (item === 'b') throw new ApiError({ status: 422, code: 'invalid_transition' });
      return item;
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const failed = outcomes[1];
    expect(failed?.ok === false && failed.error.code).toBe('invalid_transition');
  });

  it('retries an unknown outcome with the same key, but not a refusal', async () => {
    const keys: string[] = [];
    let calls = 0;
    const outcomes = await runBulk(
      ['x'],
      async (_item, key) => {
        keys.push(key);
        calls += 1;
        if (calls < 3) throw new TypeError('Failed to fetch');
        return 'ok';
      },
      { sleep: noWait, keyFor: () => 'key-x' },
    );
    expect(outcomes[0]?.ok).toBe(true);
    expect(keys).toEqual(['key-x', 'key-x', 'key-x']);

    let refused = 0;
    await runBulk(['y'], async () => {
      refused += 1;
      throw new ApiError({ status: 409, code: 'version_conflict' });
    }, { sleep: noWait });
    expect(refused).toBe(1);
  });

  it('waits as long as Retry-After asks', async () => {
    const waits: number[] = [];
    let calls = 0;
    await runBulk(
      ['z'],
      async () => {
        calls += 1;
        if (calls === 1) throw new ApiError({ status: 429, code: 'rate_limited', retryAfter: 2 });
        return 'ok';
      },
      { sleep: async (ms) => void waits.push(ms) },
    );
    expect(waits).toEqual([2000]);
  });

  it('uses the keys it is given (for deterministic imports)', async () => {
    const keys: string[] = [];
    await runBulk(['a', 'b'], async (_item, key) => void keys.push(key), {
      concurrency: 1,
      keyFor: (item) => `key-${item}`,
    });
    expect(keys).toEqual(['key-a', 'key-b']);
  });
});

describe('useBulkRun', () => {
  it('exposes progress and the failures of the last run', async () => {
    const bulk = useBulkRun<number, number>();
    const progress: number[] = [];
    const run = bulk.run([1, 2, 3, 4], async (n) => {
      progress.push(bulk.done.value);
      if (n % 2 === 0) throw new ApiError({ status: 409, code: 'conflict' });
      return n;
    }, { concurrency: 1 });
    expect(bulk.running.value).toBe(true);
    await run;
    expect(progress).toEqual([0, 1, 2, 3]);
    expect(bulk.running.value).toBe(false);
    expect(bulk.finished.value).toBe(true);
    expect(bulk.percent.value).toBe(100);
    expect(bulk.succeeded.value).toBe(2);
    expect(bulk.failures.value.map((f) => f.item)).toEqual([2, 4]);
  });

  it('stops starting items once cancelled', async () => {
    const bulk = useBulkRun<number, number>();
    const started: number[] = [];
    const run = bulk.run([1, 2, 3], async (n) => {
      started.push(n);
      if (n === 1) bulk.cancel();
      return n;
    }, { concurrency: 1 });
    const outcomes = await run;
    expect(started).toEqual([1]);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.error.code)).toEqual(['aborted', 'aborted']);
  });
});
