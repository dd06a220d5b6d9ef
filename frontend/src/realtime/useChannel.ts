import type { Channel } from 'phoenix';
import { onScopeDispose, readonly, ref, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useRealtimeStore } from './store';

export type ChannelStatus = 'idle' | 'joining' | 'joined' | 'error';

type Handler<P> = (payload: P) => void;

export interface ChannelOptions {
  /**
   * Called with each Phoenix `Channel` this creates, before it joins: for helpers that
   * need the channel itself, such as phoenix.js' `Presence`.
   */
  onChannel?: (channel: Channel) => void;
}

/**
 * Joins a Phoenix channel for as long as the calling component (or effect scope) lives,
 * and re-joins when `topic` changes; a `null` topic joins nothing (e.g. before `/me` is known).
 *
 * `Events` maps event names to payloads, e.g. `useChannel<AssetEvents>(assetsTopic(id))`.
 * Payloads are the wire contract's and are not re-validated here.
 */
export function useChannel<Events extends object>(
  topic: MaybeRefOrGetter<string | null>,
  options: ChannelOptions = {},
) {
  const realtime = useRealtimeStore();
  const status = ref<ChannelStatus>('idle');
  /** The `reason` of a refused join, e.g. `unauthorized`. */
  const reason = ref<string | null>(null);
  const handlers = new Map<string, Set<Handler<never>>>();
  let channel: Channel | null = null;

  function dispatch(event: string, payload: unknown): void {
    for (const handler of handlers.get(event) ?? []) (handler as Handler<unknown>)(payload);
  }

  function join(name: string): void {
    const joined = realtime.open().channel(name);
    channel = joined;
    options.onChannel?.(joined);
    for (const event of handlers.keys()) joined.on(event, (payload: unknown) => dispatch(event, payload));
    status.value = 'joining';
    reason.value = null;
    joined
      .join()
      .receive('ok', () => {
        if (channel === joined) status.value = 'joined';
      })
      .receive('error', (response?: { reason?: string }) => {
        if (channel !== joined) return;
        status.value = 'error';
        reason.value = response?.reason ?? null;
        // Not allowed on this topic: rejoining (phoenix.js' default) would only be refused again.
        if (reason.value === 'unauthorized') joined.leave();
      })
      .receive('timeout', () => {
        if (channel === joined) status.value = 'error';
      });
    joined.onError(() => {
      if (channel === joined) status.value = 'joining'; // phoenix.js rejoins by itself
    });
  }

  function leave(): void {
    channel?.leave();
    channel = null;
    status.value = 'idle';
  }

  /** Listens to `event`; returns a function that stops listening. */
  function on<K extends keyof Events & string>(event: K, handler: Handler<Events[K]>): () => void {
    let set = handlers.get(event);
    if (!set) {
      set = new Set();
      handlers.set(event, set);
      channel?.on(event, (payload: unknown) => dispatch(event, payload));
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  watch(
    () => toValue(topic),
    (name) => {
      leave();
      if (name) join(name);
    },
    { immediate: true },
  );
  onScopeDispose(leave);

  return { status: readonly(status), reason: readonly(reason), on };
}
