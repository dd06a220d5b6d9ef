/** Who is online, in the shell of the whole SPA (happy-dom), fed by a fake Phoenix server. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_KEY } from '@/modules/auth/session-storage';
import { eventually, startApp } from '@/testing/app';
import { jsonResponse, mockFetch, tokenBody } from '@/testing/http';
import { fakePhoenixServer } from '@/testing/socket';

const tokens = tokenBody('access-1', 'refresh-1');
const topic = `presence:${tokens.tenant.id}`;
const meta = (name: string, ref: string) => ({ name, kind: 'user', online_at: 1_780_000_000, phx_ref: ref });

let server: ReturnType<typeof fakePhoenixServer>;
let cleanup: (() => void) | null = null;

beforeEach(() => {
  localStorage.setItem(SESSION_KEY, JSON.stringify({ access_token: 'access-1', refresh_token: 'refresh-1' }));
  server = fakePhoenixServer();
  mockFetch({
    'GET /api/v1/me': () => jsonResponse(200, { user: tokens.user, tenant: tokens.tenant }),
    'GET /api/v1/assets': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/categories': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/locations': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/models': () => jsonResponse(200, { data: [], next_cursor: null }),
  });
});

afterEach(() => {
  cleanup?.();
  cleanup = null;
  document.body.innerHTML = '';
  localStorage.clear();
});

describe('who is online', () => {
  it('shows the people online in the header, and lists them', async () => {
    const { root, unmount } = await startApp('/assets');
    cleanup = unmount;
    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));
    expect(root.querySelector('[data-testid="presence"]')).toBeNull();

    server.last?.push(topic, 'presence_state', {
      [tokens.user.id]: { metas: [meta('Ada Lovelace', '1')] },
      u2: { metas: [meta('Grace Hopper', '2'), meta('Grace Hopper', '3')] },
    });
    const trigger = () => root.querySelector<HTMLButtonElement>('[data-testid="presence"]');
    await eventually(() => expect(trigger()?.getAttribute('aria-label')).toBe('Who is online: 2 people online'));
    expect(trigger()?.textContent).toContain('GH');

    trigger()?.click();
    await eventually(() => expect(document.querySelector('[aria-label="People online"]')).not.toBeNull());
    const list = document.querySelector('[aria-label="People online"]')?.textContent ?? '';
    expect(list).toContain('Ada Lovelace (you)');
    expect(list).toContain('Grace Hopper');
    expect(list).toContain('2 tabs');

    server.last?.push(topic, 'presence_diff', { joins: {}, leaves: { u2: { metas: [meta('Grace Hopper', '2'), meta('Grace Hopper', '3')] } } });
    await eventually(() => expect(trigger()?.getAttribute('aria-label')).toBe('Who is online: 1 person online'));
  });
});
