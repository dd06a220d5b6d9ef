import { computed, ref, shallowRef } from 'vue';
import { idempotencyKey } from '@/api/client';
import { ApiError } from '@/api/errors';

/** What happened to one item of a bulk run. */
export type BulkOutcome<T, R> =
  | { index: number; item: T; ok: true; value: R }
  | { index: number; item: T; ok: false; error: ApiError };

export interface BulkOptions<T> {
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /**
   * The `Idempotency-Key` of each item's request (default: a fresh UUID per item). It stays
   * the same across the retries of that item, so a retried write is applied once.
   */
  keyFor?: (item: T, index: number) => string | Promise<string>;
  /** Tries per item when the outcome is unknown or the server asks to wait (default 3). */
  attempts?: number;
  /** Waits between tries (replaced in tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Called after each item settles. */
  onSettled?: (outcome: BulkOutcome<T, unknown>, done: number) => void;
  signal?: AbortSignal;
}

/** Failures worth another try with the same key: no answer, rate limit, busy dependency, same key still running. */
function retryable(error: ApiError): boolean {
  return (
    (error.status === 0 && error.code !== 'aborted') ||
    error.status === 429 ||
    error.status === 503 ||
    error.code === 'idempotency_in_progress'
  );
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `task` once per item (one request per item, never a batch endpoint), a few at a time,
 * and reports every item's outcome in input order. A failure never stops the others.
 */
export async function runBulk<T, R>(
  items: readonly T[],
  task: (item: T, idempotencyKey: string, index: number) => Promise<R>,
  options: BulkOptions<T> = {},
): Promise<BulkOutcome<T, R>[]> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const attempts = Math.max(1, options.attempts ?? 3);
  const sleep = options.sleep ?? realSleep;
  const keyFor = options.keyFor ?? (() => idempotencyKey());
  const outcomes: BulkOutcome<T, R>[] = new Array(items.length);
  let next = 0;
  let done = 0;

  async function runOne(index: number, item: T): Promise<BulkOutcome<T, R>> {
    if (options.signal?.aborted) return { index, item, ok: false, error: new ApiError({ status: 0, code: 'aborted' }) };
    let key: string;
    try {
      key = await keyFor(item, index);
    } catch (caught) {
      return { index, item, ok: false, error: ApiError.from(caught) };
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return { index, item, ok: true, value: await task(item, key, index) };
      } catch (caught) {
        const error = ApiError.from(caught);
        if (attempt >= attempts || !retryable(error) || options.signal?.aborted) return { index, item, ok: false, error };
        await sleep(error.retryAfter !== null ? Math.min(error.retryAfter, 30) * 1000 : 400 * attempt);
      }
    }
  }

  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      const outcome = await runOne(index, items[index] as T);
      outcomes[index] = outcome;
      done += 1;
      options.onSettled?.(outcome, done);
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return outcomes;
}

/**
 * A bulk run as screen state: progress (for a progress bar), the failures (for a per-row
 * summary) and a way to cancel what has not started yet.
 */
export function useBulkRun<T, R>() {
  const running = ref(false);
  const total = ref(0);
  const done = ref(0);
  const succeeded = ref(0);
  const failures = shallowRef<Extract<BulkOutcome<T, R>, { ok: false }>[]>([]);
  const outcomes = shallowRef<BulkOutcome<T, R>[]>([]);
  let controller: AbortController | null = null;

  const percent = computed(() => (total.value === 0 ? 0 : Math.round((done.value / total.value) * 100)));
  const finished = computed(() => !running.value && total.value > 0 && done.value === total.value);

  async function run(
    items: readonly T[],
    task: (item: T, idempotencyKey: string, index: number) => Promise<R>,
    options: Omit<BulkOptions<T>, 'onSettled' | 'signal'> = {},
  ): Promise<BulkOutcome<T, R>[]> {
    controller = new AbortController();
    running.value = true;
    total.value = items.length;
    done.value = 0;
    succeeded.value = 0;
    failures.value = [];
    outcomes.value = [];
    try {
      const result = await runBulk(items, task, {
        ...options,
        signal: controller.signal,
        onSettled: (outcome, count) => {
          done.value = count;
          if (outcome.ok) succeeded.value += 1;
          else failures.value = [...failures.value, outcome as Extract<BulkOutcome<T, R>, { ok: false }>];
        },
      });
      failures.value = result.filter((o): o is Extract<BulkOutcome<T, R>, { ok: false }> => !o.ok);
      outcomes.value = result;
      return result;
    } finally {
      running.value = false;
      controller = null;
    }
  }

  /** Stops starting new items; those in flight finish. */
  function cancel(): void {
    controller?.abort();
  }

  function clear(): void {
    total.value = 0;
    done.value = 0;
    succeeded.value = 0;
    failures.value = [];
    outcomes.value = [];
  }

  return { running, total, done, succeeded, failures, outcomes, percent, finished, run, cancel, clear };
}
