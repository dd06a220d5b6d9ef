import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api, unwrap } from '@/api/client';
import { ApiError } from '@/api/errors';
import { useAssetsStore } from '@/modules/assets/store';
import { deferred, freshPinia, jsonResponse, mockFetch, problemResponse, tokenBody } from '@/testing/http';
import { SESSION_KEY } from './session-storage';
import { useAuthStore } from './store';

const me = (body: ReturnType<typeof tokenBody>) => ({ user: body.user, tenant: body.tenant });

function signedIn(access: string, refresh: string) {
  localStorage.setItem(SESSION_KEY, JSON.stringify({ access_token: access, refresh_token: refresh }));
  freshPinia();
  return useAuthStore();
}

beforeEach(() => {
  localStorage.clear();
});

describe('auth store', () => {
  it('login stores the token pair, the user and the tenant', async () => {
    const http = mockFetch({ 'POST /api/v1/auth/login': () => jsonResponse(200, tokenBody('access-1', 'refresh-1')) });
    freshPinia();
    const auth = useAuthStore();

    await auth.login({ email: 'ada@acme.test', password: 'correct horse' });

    expect(http.callsTo('POST /api/v1/auth/login')[0]?.body).toEqual({ email: 'ada@acme.test', password: 'correct horse' });
    expect(auth.accessToken).toBe('access-1');
    expect(auth.refreshToken).toBe('refresh-1');
    expect(auth.user?.name).toBe('Ada Lovelace');
    expect(auth.tenant?.slug).toBe('acme');
    expect(auth.isAuthenticated).toBe(true);
    expect(JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null')).toEqual({
      access_token: 'access-1',
      refresh_token: 'refresh-1',
    });
  });

  it('restores the tokens from storage and sends the access token as a bearer token', async () => {
    const http = mockFetch({ 'GET /api/v1/me': () => jsonResponse(200, me(tokenBody('a', 'r'))) });
    const auth = signedIn('stored-access', 'stored-refresh');

    await auth.loadMe();

    expect(http.calls[0]?.authorization).toBe('Bearer stored-access');
    expect(auth.user?.email).toBe('ada@acme.test');
  });

  it('a failed login is an ApiError with its code and never triggers a refresh', async () => {
    const http = mockFetch({ 'POST /api/v1/auth/login': () => problemResponse(401, 'invalid_credentials') });
    freshPinia();
    const auth = useAuthStore();

    const failure = await auth.login({ email: 'ada@acme.test', password: 'wrong' }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).code).toBe('invalid_credentials');
    expect(http.callsTo('POST /api/v1/auth/refresh')).toHaveLength(0);
    expect(auth.isAuthenticated).toBe(false);
  });

  it('renews the access token on a 401 and retries the request once', async () => {
    const http = mockFetch({
      'GET /api/v1/me': (call) =>
        call.authorization === 'Bearer new-access'
          ? jsonResponse(200, me(tokenBody('x', 'y')))
          : problemResponse(401, 'token_expired'),
      'POST /api/v1/auth/refresh': () => jsonResponse(200, tokenBody('new-access', 'new-refresh')),
    });
    const auth = signedIn('old-access', 'old-refresh');

    await auth.loadMe();

    expect(http.callsTo('POST /api/v1/auth/refresh').map((c) => c.body)).toEqual([{ refresh_token: 'old-refresh' }]);
    expect(http.callsTo('GET /api/v1/me').map((c) => c.authorization)).toEqual([
      'Bearer old-access',
      'Bearer new-access',
    ]);
    expect(auth.accessToken).toBe('new-access');
    expect(auth.refreshToken).toBe('new-refresh');
    expect(JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null')).toMatchObject({ refresh_token: 'new-refresh' });
  });

  it('concurrent 401s share one refresh, then each request is retried with the new token', async () => {
    const refreshAnswer = deferred<Response>();
    const http = mockFetch({
      'GET /api/v1/me': (call) =>
        call.authorization === 'Bearer new-access'
          ? jsonResponse(200, me(tokenBody('x', 'y')))
          : problemResponse(401, 'token_expired'),
      'GET /api/v1/assets': (call) =>
        call.authorization === 'Bearer new-access'
          ? jsonResponse(200, { data: [], next_cursor: null })
          : problemResponse(401, 'token_expired'),
      'GET /api/v1/employees': (call) =>
        call.authorization === 'Bearer new-access'
          ? jsonResponse(200, { data: [], next_cursor: null })
          : problemResponse(401, 'token_expired'),
      'POST /api/v1/auth/refresh': () => refreshAnswer.promise,
    });
    const auth = signedIn('old-access', 'old-refresh');

    const all = Promise.all([
      auth.loadMe(),
      unwrap(api.GET('/api/v1/assets')),
      unwrap(api.GET('/api/v1/employees')),
    ]);
    // Let all three 401s arrive while the refresh is still pending.
    await vi.waitFor(() => {
      expect(http.calls.filter((c) => c.authorization === 'Bearer old-access')).toHaveLength(3);
      expect(http.callsTo('POST /api/v1/auth/refresh')).toHaveLength(1);
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    refreshAnswer.resolve(jsonResponse(200, tokenBody('new-access', 'new-refresh')));
    const [, assets, employees] = await all;

    expect(http.callsTo('POST /api/v1/auth/refresh')).toHaveLength(1);
    expect(assets.data).toEqual([]);
    expect(employees.data).toEqual([]);
    for (const route of ['GET /api/v1/me', 'GET /api/v1/assets', 'GET /api/v1/employees']) {
      expect(http.callsTo(route).map((c) => c.authorization)).toEqual(['Bearer old-access', 'Bearer new-access']);
    }
  });

  it('retries only once: a second 401 is returned to the caller', async () => {
    const http = mockFetch({
      'GET /api/v1/me': () => problemResponse(401, 'unauthenticated'),
      'POST /api/v1/auth/refresh': () => jsonResponse(200, tokenBody('new-access', 'new-refresh')),
    });
    const auth = signedIn('old-access', 'old-refresh');

    const failure = await auth.loadMe().catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(401);
    expect(http.callsTo('GET /api/v1/me')).toHaveLength(2);
    expect(http.callsTo('POST /api/v1/auth/refresh')).toHaveLength(1);
  });

  it('ends the session when the refresh token is refused', async () => {
    mockFetch({
      'GET /api/v1/me': () => problemResponse(401, 'token_expired'),
      'POST /api/v1/auth/refresh': () => problemResponse(401, 'refresh_token_reused'),
    });
    const auth = signedIn('old-access', 'spent-refresh');

    const failure = await auth.loadMe().catch((e: unknown) => e);

    expect((failure as ApiError).status).toBe(401);
    expect(auth.isAuthenticated).toBe(false);
    expect(auth.sessionExpired).toBe(true);
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('keeps the session when the refresh fails for lack of network', async () => {
    mockFetch({
      'GET /api/v1/me': () => problemResponse(401, 'token_expired'),
      'POST /api/v1/auth/refresh': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const auth = signedIn('old-access', 'good-refresh');

    await auth.loadMe().catch(() => undefined);

    expect(auth.refreshToken).toBe('good-refresh');
    expect(auth.isAuthenticated).toBe(true);
  });

  it('logout revokes the refresh token on the server and resets every store', async () => {
    const http = mockFetch({
      'POST /api/v1/auth/login': () => jsonResponse(200, tokenBody('access-1', 'refresh-1')),
      'POST /api/v1/auth/logout': () => new Response(null, { status: 204 }),
    });
    freshPinia();
    const auth = useAuthStore();
    const assets = useAssetsStore();
    await auth.login({ email: 'ada@acme.test', password: 'pw' });
    assets.filters.status = 'assigned';
    assets.filters.q = 'macbook';

    await auth.logout();

    expect(http.callsTo('POST /api/v1/auth/logout')[0]?.body).toEqual({ refresh_token: 'refresh-1' });
    expect(auth.accessToken).toBeNull();
    expect(auth.refreshToken).toBeNull();
    expect(auth.user).toBeNull();
    expect(auth.tenant).toBeNull();
    expect(auth.sessionExpired).toBe(false);
    expect(assets.filters).toEqual({ status: null, q: '', sort: '-created_at', categoryId: null, locationId: null });
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('logout still signs out locally when the server cannot be reached', async () => {
    mockFetch({
      'POST /api/v1/auth/logout': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const auth = signedIn('a', 'r');

    await auth.logout();

    expect(auth.isAuthenticated).toBe(false);
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
  });
});
