import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { vi } from 'vitest';
import { createApp } from 'vue';
import { storeRegistry } from '@/stores/reset';

/** One request the code under test sent through `fetch`. */
export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | null;
  headers: Headers;
  body: unknown;
}

export type Handler = (call: RecordedCall) => Response | Promise<Response>;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function problemResponse(
  status: number,
  code: string,
  extra: { detail?: string; errors?: { field: string; code: string; message: string }[] } = {},
  headers: Record<string, string> = {},
): Response {
  return new Response(
    JSON.stringify({ type: `/problems/${code}`, title: code, status, code, ...extra }),
    { status, headers: { 'Content-Type': 'application/problem+json', ...headers } },
  );
}

function isRequest(input: unknown): input is Request {
  return typeof input === 'object' && input !== null && 'url' in input && 'method' in input;
}

/**
 * Replaces the global `fetch` (not any module) with a router of `"METHOD /path"` handlers,
 * recording every call. Unrouted calls answer a 404 problem.
 */
export function mockFetch(routes: Record<string, Handler>) {
  const calls: RecordedCall[] = [];
  const fetchMock = vi.fn(async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = isRequest(input) ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = await request.text();
    const call: RecordedCall = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      authorization: request.headers.get('Authorization'),
      headers: request.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    calls.push(call);
    const handler = routes[`${call.method} ${call.path}`];
    return handler ? handler(call) : problemResponse(404, 'not_found');
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    calls,
    fetchMock,
    callsTo: (route: string) => calls.filter((call) => `${call.method} ${call.path}` === route),
  };
}

/** A promise you settle from the test, to hold an answer back while other things happen. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A Pinia installed in an app (so plugins run), with the store registry, made active. */
export function freshPinia(): Pinia {
  const pinia = createPinia();
  pinia.use(storeRegistry);
  createApp({ render: () => null }).use(pinia);
  setActivePinia(pinia);
  return pinia;
}

/** A token body as `/auth/login`, `/auth/signup` and `/auth/refresh` answer. */
export function tokenBody(access: string, refresh: string) {
  return {
    tenant: { id: '0190b7a4-0000-7000-8000-000000000001', slug: 'acme', name: 'Acme Inc.' },
    user: {
      id: '0190b7a4-0000-7000-8000-000000000002',
      email: 'ada@acme.test',
      name: 'Ada Lovelace',
      role: 'owner',
      created_at: '2026-11-25T10:00:00Z',
    },
    access_token: access,
    refresh_token: refresh,
    token_type: 'Bearer',
    expires_in: 900,
  };
}
