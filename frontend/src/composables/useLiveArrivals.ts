import { onScopeDispose, readonly, ref, type Ref } from 'vue';

/** What an open list does with a record created elsewhere: show it on top now, or say "N new — Show". */
export type Arrival = 'insert' | 'notice';

/** What decides where a new record goes. */
export interface ArrivalPlace {
  /** The list is in its default newest-first order, so a new record belongs on top. */
  newestFirst: boolean;
  /** The list shows its first page only (nothing loaded with "Load more"). */
  firstPage: boolean;
  /**
   * Whether the record matches the list's filters; `null` when the client cannot tell
   * (a free-text search the server runs, rows the server narrows to what the caller may see).
   */
  matches: boolean | null;
}

/**
 * A new record is shown live only where its place is known: the list is newest first, shows
 * its first page, and the record surely matches the filters. Anywhere else (another sort, a
 * filter it fails or that only the server can decide, a later page) the list keeps its rows
 * and says that new ones arrived.
 */
export function placeArrival(place: ArrivalPlace): Arrival {
  return place.newestFirst && place.firstPage && place.matches === true ? 'insert' : 'notice';
}

/** The parts of a `usePagedList` that arrivals need. */
export interface ArrivalList<T> {
  items: Readonly<Ref<readonly T[]>>;
  /** Pages shown: 1 for the first page only. */
  pages: Readonly<Ref<number>>;
  update(change: (current: readonly T[]) => readonly T[]): void;
  reload(): Promise<void>;
  onFirstPage(handler: () => void): () => void;
}

export interface LiveArrivalsOptions<T> {
  /** Whether the list is in its newest-first order now (default: it always is). */
  newestFirst?: () => boolean;
  /** Whether `record` matches the list's filters now; `null`: only the server can tell. */
  matches: (record: T) => boolean | null;
}

/**
 * Records created elsewhere (seen on a channel) arriving in an open paged list: each one is
 * inserted on top or counted for the "N new — Show" notice, as `placeArrival` decides. The
 * count is forgotten when a first page arrives (Show, new filters), which has them all.
 */
export function useLiveArrivals<T extends { id: string }>(list: ArrivalList<T>, options: LiveArrivalsOptions<T>) {
  const waiting = ref(0);
  onScopeDispose(
    list.onFirstPage(() => {
      waiting.value = 0;
    }),
  );

  /** Takes in a record created elsewhere; says where it went (`null`: it is shown already). */
  function receive(record: T): Arrival | null {
    if (list.items.value.some((row) => row.id === record.id)) return null;
    const arrival = placeArrival({
      newestFirst: options.newestFirst?.() ?? true,
      firstPage: list.pages.value === 1,
      matches: options.matches(record),
    });
    if (arrival === 'insert') list.update((rows) => [record, ...rows]);
    else waiting.value += 1;
    return arrival;
  }

  /** "Show": the list starts over from its first page, new records included. */
  function show(): Promise<void> {
    waiting.value = 0;
    return list.reload();
  }

  return { waiting: readonly(waiting), receive, show };
}
