import { defineStore } from 'pinia';
import { Socket, type Channel } from 'phoenix';
import { ref, type Ref } from 'vue';
import { useAuthStore } from '@/modules/auth/store';

export type ChannelStatus = 'idle' | 'joining' | 'joined' | 'error';

/**
 * One topic joined once for every `useChannel` that follows it. phoenix.js leaves a topic's
 * open channel when the same topic is joined again on the socket, so two screens (or the shell
 * and a screen) joining `assets:{tenant_id}` each would silence one another: they share this.
 */
export interface SharedChannel {
  readonly topic: string;
  readonly channel: Channel;
  readonly status: Ref<ChannelStatus>;
  /** The `reason` of a refused join, e.g. `unauthorized`. */
  readonly reason: Ref<string | null>;
  /** How many times the server accepted a join: 1 after the first, more after each rejoin (phoenix.js rejoins after a drop). */
  readonly joins: Ref<number>;
  /** Listens to `event`; returns a function that stops listening. */
  on(event: string, handler: (payload: unknown) => void): () => void;
}

interface Entry extends SharedChannel {
  users: number;
}

/**
 * The one Phoenix socket of the app (`/socket`, params `{token}`; API.md "Realtime"), and the
 * channels joined on it. Opened lazily by the first `useChannel`, closed when the session ends
 * (store reset).
 */
export const useRealtimeStore = defineStore('realtime', () => {
  const auth = useAuthStore();
  const connected = ref(false);
  // Not reactive state: a Socket is a live connection, not data.
  let socket: Socket | null = null;
  const channels = new Map<string, Entry>();

  function open(): Socket {
    if (socket) return socket;
    const created = new Socket('/socket', {
      // Read on every (re)connect, so a renewed access token is picked up.
      params: () => ({ token: auth.accessToken ?? '' }),
    });
    created.onOpen(() => {
      connected.value = true;
    });
    created.onClose(() => {
      connected.value = false;
    });
    created.connect();
    socket = created;
    return created;
  }

  function join(topic: string, onChannel?: (channel: Channel) => void): Entry {
    const channel = open().channel(topic);
    const listeners = new Map<string, Set<(payload: unknown) => void>>();
    const entry: Entry = {
      topic,
      channel,
      users: 0,
      status: ref<ChannelStatus>('joining'),
      reason: ref<string | null>(null),
      joins: ref(0),
      on(event, handler) {
        let set = listeners.get(event);
        if (!set) {
          const handlers = new Set<(payload: unknown) => void>();
          set = handlers;
          listeners.set(event, handlers);
          channel.on(event, (payload: unknown) => {
            for (const listener of [...handlers]) listener(payload);
          });
        }
        set.add(handler);
        return () => set.delete(handler);
      },
    };
    onChannel?.(channel);
    channel
      .join()
      .receive('ok', () => {
        entry.status.value = 'joined';
        entry.reason.value = null;
        entry.joins.value += 1;
      })
      .receive('error', (response?: { reason?: string }) => {
        entry.status.value = 'error';
        entry.reason.value = response?.reason ?? null;
        // Not allowed on this topic: rejoining (phoenix.js' default) would only be refused again.
        if (entry.reason.value === 'unauthorized') channel.leave();
      })
      .receive('timeout', () => {
        entry.status.value = 'error';
      });
    channel.onError(() => {
      if (entry.status.value !== 'idle') entry.status.value = 'joining'; // phoenix.js rejoins by itself
    });
    return entry;
  }

  /**
   * The channel of `topic`, joined if nobody follows it yet. `onChannel` sees the Phoenix
   * channel before it joins — only when this call creates it. Each `acquire` is paired with
   * one `release`.
   */
  function acquire(topic: string, onChannel?: (channel: Channel) => void): SharedChannel {
    let entry = channels.get(topic);
    if (!entry) {
      entry = join(topic, onChannel);
      channels.set(topic, entry);
    }
    entry.users += 1;
    return entry;
  }

  /** One follower of the topic is done with it; the last one leaves the channel. */
  function release(shared: SharedChannel): void {
    const entry = channels.get(shared.topic);
    if (entry !== shared) return; // already gone with the socket (session ended)
    entry.users -= 1;
    if (entry.users > 0) return;
    channels.delete(entry.topic);
    entry.status.value = 'idle';
    entry.channel.leave();
  }

  function $reset(): void {
    for (const entry of channels.values()) entry.status.value = 'idle';
    channels.clear();
    socket?.disconnect();
    socket = null;
    connected.value = false;
  }

  return { connected, open, acquire, release, $reset };
});
