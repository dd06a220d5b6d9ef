import { computed, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { ApiError } from '@/api/errors';

/** One page of a list endpoint (API.md "Lists"). */
export interface Page<T> {
  data: T[];
  /** Absent or null on the last page. */
  next_cursor?: string | null;
}

export interface PageRequest<F> {
  /** `null` for the first page. */
  cursor: string | null;
  limit: number;
  filters: F;
  /** Aborted when a newer request supersedes this one. */
  signal: AbortSignal;
}

export type PageLoader<T, F> = (request: PageRequest<F>) => Promise<Page<T>>;

export interface PagedListOptions<F> {
  /** Filters sent with every page; when they change the list starts over from the first page. */
  filters?: MaybeRefOrGetter<F>;
  /** Page size (the server caps it at 500). */
  limit?: number;
  /** Load the first page right away (default true). */
  immediate?: boolean;
}

/**
 * A cursor-paginated list: the first page, then "load more" pages appended with
 * `next_cursor`. A newer request (reload, filter change) aborts and ignores an older one,
 * so a slow answer for stale filters never overwrites fresh results.
 */
export function usePagedList<T, F = undefined>(load: PageLoader<T, F>, options: PagedListOptions<F> = {}) {
  const limit = options.limit ?? 50;
  const items = shallowRef<readonly T[]>([]);
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const error = shallowRef<ApiError | null>(null);
  /** True once a first page arrived for the current filters. */
  const loaded = ref(false);
  /** Pages shown: 0 before the first answer, 1 after each first page, one more per "load more". */
  const pages = ref(0);
  const firstPageHandlers = new Set<() => void>();
  let inFlight: AbortController | null = null;

  async function fetchPage(cursor: string | null): Promise<void> {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    loading.value = true;
    error.value = null;
    try {
      const page = await load({
        cursor,
        limit,
        filters: toValue(options.filters) as F,
        signal: controller.signal,
      });
      if (inFlight !== controller) return;
      items.value = cursor === null ? page.data : [...items.value, ...page.data];
      nextCursor.value = page.next_cursor ?? null;
      loaded.value = true;
      pages.value = cursor === null ? 1 : pages.value + 1;
      if (cursor === null) for (const handler of [...firstPageHandlers]) handler();
    } catch (caught) {
      if (inFlight !== controller) return;
      error.value = ApiError.from(caught);
    } finally {
      if (inFlight === controller) {
        inFlight = null;
        loading.value = false;
      }
    }
  }

  /** Starts over from the first page (keeps showing the current items until it arrives). */
  function reload(): Promise<void> {
    return fetchPage(null);
  }

  /** Appends the next page; does nothing on the last page or while a request is running. */
  function loadMore(): Promise<void> {
    if (nextCursor.value === null || loading.value) return Promise.resolve();
    return fetchPage(nextCursor.value);
  }

  /** Replaces items in place (e.g. from a realtime event) without refetching. */
  function update(change: (current: readonly T[]) => readonly T[]): void {
    items.value = change(items.value);
  }

  /**
   * Calls `handler` each time a first page arrives (a reload, new filters): what was said
   * about the rows shown before (e.g. "2 new — Show") is out of date. Returns a function that
   * stops calling it.
   */
  function onFirstPage(handler: () => void): () => void {
    firstPageHandlers.add(handler);
    return () => firstPageHandlers.delete(handler);
  }

  const hasMore = computed(() => nextCursor.value !== null);
  const isEmpty = computed(() => loaded.value && error.value === null && items.value.length === 0);

  if (options.filters !== undefined) {
    watch(() => toValue(options.filters), () => void reload(), { deep: true });
  }
  if (options.immediate ?? true) void reload();

  return { items, loading, error, loaded, pages, hasMore, isEmpty, reload, loadMore, update, onFirstPage };
}

