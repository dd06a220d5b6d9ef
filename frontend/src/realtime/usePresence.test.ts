import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { SESSION_KEY } from '@/modules/auth/session-storage';
import { useAuthStore } from '@/modules/auth/store';
import { freshPinia, tokenBody } from '@/testing/http';
import { fakePhoenixServer } from '@/testing/socket';
import { memberFrom, usePresence } from './usePresence';

const me = tokenBody('a', 'r');
const topic = `presence:${me.tenant.id}`;
const meta = (name: string, ref: string, onlineAt = 1_780_000_000) => ({ name, kind: 'user', online_at: onlineAt, phx_ref: ref });

let server: ReturnType<typeof fakePhoenixServer>;

function signedIn() {
  localStorage.setItem(SESSION_KEY, JSON.stringify({ access_token: 'socket-token', refresh_token: 'r' }));
  freshPinia();
  const auth = useAuthStore();
  auth.setTenant(me.tenant);
  return auth;
}

beforeEach(() => {
  server = fakePhoenixServer();
});

afterEach(() => {
  localStorage.clear();
});

describe('usePresence', () => {
  it("joins the tenant's presence topic and follows state and diffs", async () => {
    signedIn();
    const scope = effectScope();
    const presence = scope.run(() => usePresence());
    await vi.waitFor(() => expect(presence?.status.value).toBe('joined'));
    const socket = server.last;
    expect(socket?.hasJoined(topic)).toBe(true);

    // As the backend does: the diff of our own join reaches us before the full state.
    socket?.push(topic, 'presence_diff', { joins: { u1: { metas: [meta('Ada Lovelace', '7')] } }, leaves: {} });
    socket?.push(topic, 'presence_state', {
      u1: { metas: [meta('Ada Lovelace', '7'), meta('Ada Lovelace', '5', 1_779_999_000)] },
      u2: { metas: [meta('Grace Hopper', '6')] },
    });
    await vi.waitFor(() => expect(presence?.count.value).toBe(2));
    const ada = presence?.members.value.find((m) => m.id === 'u1');
    expect(ada).toEqual({
      id: 'u1',
      name: 'Ada Lovelace',
      kind: 'user',
      since: new Date(1_779_999_000 * 1000),
      connections: 2,
    });

    socket?.push(topic, 'presence_diff', {
      joins: { u3: { metas: [meta('Alan Turing', '9')] } },
      leaves: { u2: { metas: [meta('Grace Hopper', '6')] } },
    });
    await vi.waitFor(() => expect(presence?.members.value.map((m) => m.name)).toEqual(['Ada Lovelace', 'Alan Turing']));

    scope.stop();
    await vi.waitFor(() => expect(socket?.hasLeft(topic)).toBe(true));
    expect(presence?.members.value).toEqual([]);
  });

  it('leaves the signed-in user out of `others`', async () => {
    const auth = signedIn();
    auth.user = { ...me.user, role: 'owner', status: 'active' };
    const presence = effectScope().run(() => usePresence());
    await vi.waitFor(() => expect(presence?.status.value).toBe('joined'));
    server.last?.push(topic, 'presence_state', {
      [me.user.id]: { metas: [meta('Ada Lovelace', '1')] },
      u2: { metas: [meta('Grace Hopper', '2')] },
    });
    await vi.waitFor(() => expect(presence?.count.value).toBe(2));
    expect(presence?.others.value.map((m) => m.name)).toEqual(['Grace Hopper']);
  });

  it('shows nobody when the join is refused', async () => {
    signedIn();
    server.refuse.add(topic);
    const presence = effectScope().run(() => usePresence());
    await vi.waitFor(() => expect(presence?.status.value).toBe('error'));
    expect(presence?.count.value).toBe(0);
  });
});

describe('memberFrom', () => {
  it('copes with metas that lack fields', () => {
    expect(memberFrom('k', { metas: [{}] })).toEqual({ id: 'k', name: 'Someone', kind: 'user', since: null, connections: 1 });
    expect(memberFrom('k', null).connections).toBe(1);
  });
});
