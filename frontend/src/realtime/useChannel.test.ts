import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { useAuthStore } from '@/modules/auth/store';
import { SESSION_KEY } from '@/modules/auth/session-storage';
import { freshPinia } from '@/testing/http';
import { assetsTopic, type AssetEvents } from './topics';
import { useChannel } from './useChannel';

type Frame = [string | null, string | null, string, string, Record<string, unknown>];

/** Just enough of a Phoenix server (V2 JSON frames) behind a fake WebSocket. */
class FakeServerSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static last: FakeServerSocket | null = null;
  static refuse = new Set<string>();
  readyState = 0;
  binaryType = 'arraybuffer';
  sent: Frame[] = [];
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;

  constructor(readonly url: string) {
    FakeServerSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.();
    }, 0);
  }

  send(data: string): void {
    const frame = JSON.parse(data) as Frame;
    this.sent.push(frame);
    const [joinRef, ref, topic, event] = frame;
    if (event === 'phx_join') {
      const refused = FakeServerSocket.refuse.has(topic);
      this.deliver([joinRef, ref, topic, 'phx_reply', refused
        ? { status: 'error', response: { reason: 'unauthorized' } }
        : { status: 'ok', response: {} }]);
    }
    if (event === 'phx_leave') this.deliver([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} }]);
  }

  /** Server → client frame. */
  deliver(frame: Frame): void {
    setTimeout(() => this.onmessage?.({ data: JSON.stringify(frame) }), 0);
  }

  joinRefOf(topic: string): string | null {
    return this.sent.find(([, , t, event]) => t === topic && event === 'phx_join')?.[0] ?? null;
  }

  close(): void {
    this.readyState = 3;
  }
}

beforeEach(() => {
  localStorage.setItem(SESSION_KEY, JSON.stringify({ access_token: 'socket-token', refresh_token: 'r' }));
  FakeServerSocket.last = null;
  FakeServerSocket.refuse = new Set();
  vi.stubGlobal('WebSocket', FakeServerSocket);
});

afterEach(() => {
  localStorage.clear();
});

describe('useChannel', () => {
  it('connects to /socket with the access token, joins the topic and delivers its events', async () => {
    freshPinia();
    useAuthStore();
    const scope = effectScope();
    const received: string[] = [];
    const channel = scope.run(() => {
      const joined = useChannel<AssetEvents>(assetsTopic('t1'));
      joined.on('asset_updated', ({ asset }) => received.push(asset.tag));
      return joined;
    });

    await vi.waitFor(() => expect(channel?.status.value).toBe('joined'));
    const socket = FakeServerSocket.last;
    expect(socket?.url).toMatch(/\/socket\/websocket\?/);
    expect(new URL(socket?.url ?? '', 'http://x').searchParams.get('token')).toBe('socket-token');

    socket?.deliver([socket.joinRefOf('assets:t1'), null, 'assets:t1', 'asset_updated', { asset: { tag: 'LAP-7' } }]);
    await vi.waitFor(() => expect(received).toEqual(['LAP-7']));

    scope.stop();
    await vi.waitFor(() => expect(socket?.sent.some(([, , topic, event]) => topic === 'assets:t1' && event === 'phx_leave')).toBe(true));
  });

  it('reports a refused join with its reason', async () => {
    FakeServerSocket.refuse.add('assets:other-tenant');
    freshPinia();
    useAuthStore();
    const channel = effectScope().run(() => useChannel<AssetEvents>('assets:other-tenant'));

    await vi.waitFor(() => expect(channel?.status.value).toBe('error'));
    expect(channel?.reason.value).toBe('unauthorized');
  });
});
