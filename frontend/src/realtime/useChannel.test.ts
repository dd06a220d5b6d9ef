import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { useAuthStore } from '@/modules/auth/store';
import { SESSION_KEY } from '@/modules/auth/session-storage';
import { freshPinia } from '@/testing/http';
import { fakePhoenixServer } from '@/testing/socket';
import { assetsTopic, type AssetEvents } from './topics';
import { useChannel } from './useChannel';

let FakeServerSocket: ReturnType<typeof fakePhoenixServer>;

beforeEach(() => {
  localStorage.setItem(SESSION_KEY, JSON.stringify({ access_token: 'socket-token', refresh_token: 'r' }));
  FakeServerSocket = fakePhoenixServer();
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

    socket?.push('assets:t1', 'asset_updated', { asset: { tag: 'LAP-7' } });
    await vi.waitFor(() => expect(received).toEqual(['LAP-7']));

    scope.stop();
    await vi.waitFor(() => expect(socket?.hasLeft('assets:t1')).toBe(true));
  });

  it('reports a refused join with its reason', async () => {
    FakeServerSocket.refuse.add('assets:other-tenant');
    freshPinia();
    useAuthStore();
    const channel = effectScope().run(() => useChannel<AssetEvents>('assets:other-tenant'));

    await vi.waitFor(() => expect(channel?.status.value).toBe('error'));
    expect(channel?.reason.value).toBe('unauthorized');
  });

  it('joins a topic once for all who follow it, and leaves it with the last', async () => {
    freshPinia();
    useAuthStore();
    const shell = effectScope();
    const screen = effectScope();
    const heard: string[] = [];
    const first = shell.run(() => {
      const joined = useChannel<AssetEvents>(assetsTopic('t1'));
      joined.on('asset_updated', ({ asset }) => heard.push(`shell ${asset.tag}`));
      return joined;
    });
    await vi.waitFor(() => expect(first?.status.value).toBe('joined'));
    const second = screen.run(() => {
      const joined = useChannel<AssetEvents>(assetsTopic('t1'));
      joined.on('asset_updated', ({ asset }) => heard.push(`screen ${asset.tag}`));
      return joined;
    });
    expect(second?.status.value).toBe('joined');
    const socket = FakeServerSocket.last;
    expect(socket?.sent.filter(([, , topic, event]) => topic === 'assets:t1' && event === 'phx_join')).toHaveLength(1);

    socket?.push('assets:t1', 'asset_updated', { asset: { tag: 'LAP-1' } });
    await vi.waitFor(() => expect(heard).toEqual(['shell LAP-1', 'screen LAP-1']));

    // The screen closes: the shell still hears the topic.
    screen.stop();
    socket?.push('assets:t1', 'asset_updated', { asset: { tag: 'LAP-2' } });
    await vi.waitFor(() => expect(heard).toEqual(['shell LAP-1', 'screen LAP-1', 'shell LAP-2']));
    expect(socket?.hasLeft('assets:t1')).toBe(false);

    shell.stop();
    await vi.waitFor(() => expect(socket?.hasLeft('assets:t1')).toBe(true));
    expect(first?.status.value).toBe('idle');
  });
});
