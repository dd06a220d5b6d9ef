import type { Channel } from 'phoenix';
import { computed, onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useRealtimeStore, type ChannelStatus, type SharedChannel } from './store';

export type { ChannelStatus } from './store';

type Handler<P> = (payload: P) => void;

export interface ChannelOptions {
  /**
   * Called with the Phoenix `Channel` before it joins, for helpers that need the channel
   * itself, such as phoenix.js' `Presence` — only by the caller that joins the topic first.
   */
  onChannel?: (channel: Channel) => void;
}

/**
 * Follows a Phoenix channel for as long as the calling component (or effect scope) lives,
 * and moves to the new topic when `topic` changes; a `null` topic follows nothing (e.g.
 * before `/me` is known). Callers of the same topic share one joined channel (see
 * `SharedChannel`): the shell and a screen may both follow `assets:{tenant_id}`.
 *
 * `Events` maps event names to payloads, e.g. `useChannel<AssetEvents>(assetsTopic(id))`.
 * Payloads are the wire contract's and are not re-validated here.
 */
export function useChannel<Events extends object>(
  topic: MaybeRefOrGetter<string | null>,
  options: ChannelOptions = {},
) {
  const realtime = useRealtimeStore();
  const current = shallowRef<SharedChannel | null>(null);
  const handlers = new Map<string, Set<Handler<never>>>();
  /** Stops listening on the current channel, one function per event. */
  let detach: (() => void)[] = [];

  function dispatch(event: string, payload: unknown): void {
    for (const handler of [...(handlers.get(event) ?? [])]) (handler as Handler<unknown>)(payload);
  }

  function listen(shared: SharedChannel, event: string): void {
    detach.push(shared.on(event, (payload) => dispatch(event, payload)));
  }

  function follow(name: string): void {
    const shared = realtime.acquire(name, options.onChannel);
    current.value = shared;
    for (const event of handlers.keys()) listen(shared, event);
  }

  function leave(): void {
    detach.forEach((stop) => stop());
    detach = [];
    if (current.value) realtime.release(current.value);
    current.value = null;
  }

  /** Listens to `event`; returns a function that stops listening. */
  function on<K extends keyof Events & string>(event: K, handler: Handler<Events[K]>): () => void {
    let set = handlers.get(event);
    if (!set) {
      set = new Set();
      handlers.set(event, set);
      if (current.value) listen(current.value, event);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  watch(
    () => toValue(topic),
    (name) => {
      leave();
      if (name) follow(name);
    },
    { immediate: true },
  );
  onScopeDispose(leave);

  const rejoinHandlers = new Set<() => void>();
  watch(
    () => [current.value, current.value?.joins.value ?? 0] as const,
    ([shared, joins], [before, joinsBefore]) => {
      if (shared !== null && shared === before && joins > joinsBefore && joins > 1) {
        for (const handler of [...rejoinHandlers]) handler();
      }
    },
  );

  /**
   * Calls `handler` each time the channel is joined again after a drop — not on its first
   * join, whose events nobody can have missed: reload there what the channel keeps current.
   */
  function onRejoin(handler: () => void): () => void {
    rejoinHandlers.add(handler);
    return () => rejoinHandlers.delete(handler);
  }

  const status = computed<ChannelStatus>(() => current.value?.status.value ?? 'idle');
  /** The `reason` of a refused join, e.g. `unauthorized`. */
  const reason = computed<string | null>(() => current.value?.reason.value ?? null);
  return { status, reason, on, onRejoin };
}
