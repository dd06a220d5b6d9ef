import { defineStore, getActivePinia } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError } from '@/api/errors';
import { api, bindSession, send, unwrap } from '@/api/client';
import type { AuthTokens, LoginRequest, SignupRequest, Tenant, User } from '@/api/types';
import { resetAllStores } from '@/stores/reset';
import { allowed, type Action } from './permissions';
import { SESSION_KEY, parseStoredTokens, readStoredTokens, writeStoredTokens } from './session-storage';

/**
 * The signed-in session: the token pair (kept in localStorage), the user and the tenant.
 * It binds itself to the API client so every request carries the access token and a 401
 * is answered by one shared refresh.
 */
export const useAuthStore = defineStore('auth', () => {
  const pinia = getActivePinia();
  const stored = readStoredTokens();

  const accessToken = ref<string | null>(stored?.access_token ?? null);
  const refreshToken = ref<string | null>(stored?.refresh_token ?? null);
  const user = shallowRef<User | null>(null);
  const tenant = shallowRef<Tenant | null>(null);
  /** Set when the session ended because it could not be renewed (not by logging out). */
  const sessionExpired = ref(false);

  const isAuthenticated = computed(() => refreshToken.value !== null || accessToken.value !== null);
  /** Whether the signed-in role may do `action` (hides buttons; the server still decides). */
  const can = computed(() => (action: Action): boolean => user.value !== null && allowed(user.value.role, action));
  /** May change assets (create, edit, delete, status). */
  const canWrite = computed(() => can.value('assets.write'));

  function adopt(body: AuthTokens): void {
    accessToken.value = body.access_token;
    refreshToken.value = body.refresh_token;
    user.value = body.user;
    tenant.value = body.tenant;
    sessionExpired.value = false;
    writeStoredTokens({ access_token: body.access_token, refresh_token: body.refresh_token });
  }

  async function signup(body: SignupRequest): Promise<void> {
    adopt(await unwrap(api.POST('/api/v1/auth/signup', { body })));
  }

  async function login(body: LoginRequest): Promise<void> {
    if (isAuthenticated.value) endSession(false); // a different user or tenant: start clean
    adopt(await unwrap(api.POST('/api/v1/auth/login', { body })));
  }

  async function loadMe(): Promise<void> {
    const me = await unwrap(api.GET('/api/v1/me'));
    user.value = me.user;
    tenant.value = me.tenant;
  }

  /** After the tenant's settings changed (e.g. its name), so the shell shows the new one. */
  function setTenant(value: Tenant): void {
    tenant.value = value;
  }

  let renewal: Promise<boolean> | null = null;

  /** Renews the token pair. Single-flight: callers arriving during a renewal share it. */
  function refresh(): Promise<boolean> {
    renewal ??= renew().finally(() => {
      renewal = null;
    });
    return renewal;
  }

  async function renew(): Promise<boolean> {
    const token = refreshToken.value;
    if (token === null) return false;
    try {
      adopt(await unwrap(api.POST('/api/v1/auth/refresh', { body: { refresh_token: token } })));
      return true;
    } catch (error) {
      const apiError = ApiError.from(error);
      // The server refused the refresh token (spent, revoked, expired): the session is over.
      // A network failure or a 5xx leaves the tokens alone so a later request can try again.
      if (apiError.status >= 400 && apiError.status < 500 && apiError.status !== 429) endSession(true);
      return false;
    }
  }

  /** Ends the session on the server (best effort) and resets every store. */
  async function logout(): Promise<void> {
    const token = refreshToken.value;
    if (token !== null) {
      try {
        await send(api.POST('/api/v1/auth/logout', { body: { refresh_token: token } }));
      } catch {
        // Already invalid or offline: forgetting the tokens locally is what matters.
      }
    }
    endSession(false);
  }

  function endSession(expired: boolean): void {
    writeStoredTokens(null);
    if (pinia) resetAllStores(pinia);
    else $reset();
    sessionExpired.value = expired;
  }

  function $reset(): void {
    accessToken.value = null;
    refreshToken.value = null;
    user.value = null;
    tenant.value = null;
    sessionExpired.value = false;
  }

  bindSession({ accessToken: () => accessToken.value, refresh });

  // Another tab renewed, switched or ended the session: follow it, so this tab never
  // presents a spent refresh token (which would revoke the whole token family).
  globalThis.addEventListener?.('storage', (event: StorageEvent) => {
    if (event.key !== SESSION_KEY && event.key !== null) return;
    const tokens = parseStoredTokens(event.newValue);
    if (tokens === null) {
      if (isAuthenticated.value && pinia) resetAllStores(pinia);
      return;
    }
    if (tokens.refresh_token === refreshToken.value) return;
    accessToken.value = tokens.access_token;
    refreshToken.value = tokens.refresh_token;
    const before = { user: user.value?.id, tenant: tenant.value?.id };
    void loadMe()
      .then(() => {
        // Signed in as someone else, or to another tenant: nothing cached may be shown.
        const switched = before.user !== user.value?.id || before.tenant !== tenant.value?.id;
        if (switched && pinia) resetAllStores(pinia, ['auth']);
      })
      .catch(() => undefined);
  });

  return {
    accessToken,
    refreshToken,
    user,
    tenant,
    sessionExpired,
    isAuthenticated,
    can,
    canWrite,
    signup,
    login,
    loadMe,
    setTenant,
    refresh,
    logout,
    $reset,
  };
});
