import { defineStore } from 'pinia';
import { Socket } from 'phoenix';
import { ref } from 'vue';
import { useAuthStore } from '@/modules/auth/store';

/**
 * The one Phoenix socket of the app (`/socket`, params `{token}`; API.md "Realtime").
 * Opened lazily by the first `useChannel`, closed when the session ends (store reset).
 */
export const useRealtimeStore = defineStore('realtime', () => {
  const auth = useAuthStore();
  const connected = ref(false);
  // Not reactive state: a Socket is a live connection, not data.
  let socket: Socket | null = null;

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

  function $reset(): void {
    socket?.disconnect();
    socket = null;
    connected.value = false;
  }

  return { connected, open, $reset };
});
