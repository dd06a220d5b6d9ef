import { api, send, unwrap } from '@/api/client';
import type {
  ApiToken,
  CreateApiToken,
  CreatedApiToken,
  CreateUser,
  TenantSettings,
  UpdateTenant,
  UpdateUser,
  User,
} from '@/api/types';
import type { Page } from '@/composables/usePagedList';

/**
 * `GET /users` and `GET /api-tokens` answer a page (`{data, next_cursor}`) although the
 * document says a bare array; accept both, so the screen works before and after the fix.
 */
export function rowsOf<T>(body: readonly T[] | Page<T>): T[] {
  return Array.isArray(body) ? [...(body as readonly T[])] : [...(body as Page<T>).data];
}

export function getTenantSettings(): Promise<TenantSettings> {
  return unwrap(api.GET('/api/v1/tenant'));
}

export function updateTenantSettings(body: UpdateTenant): Promise<TenantSettings> {
  return unwrap(api.PATCH('/api/v1/tenant', { body }));
}

export async function listUsers(): Promise<User[]> {
  const body: readonly User[] | Page<User> = await unwrap(api.GET('/api/v1/users'));
  return rowsOf(body);
}

export function createUser(body: CreateUser, idempotencyKey: string): Promise<User> {
  return unwrap(api.POST('/api/v1/users', { body, headers: { 'Idempotency-Key': idempotencyKey } }));
}

export function updateUser(id: string, body: UpdateUser): Promise<User> {
  return unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body }));
}

export async function listApiTokens(): Promise<ApiToken[]> {
  const body: readonly ApiToken[] | Page<ApiToken> = await unwrap(api.GET('/api/v1/api-tokens'));
  return rowsOf(body);
}

export function createApiToken(body: CreateApiToken, idempotencyKey: string): Promise<CreatedApiToken> {
  return unwrap(api.POST('/api/v1/api-tokens', { body, headers: { 'Idempotency-Key': idempotencyKey } }));
}

export function revokeApiToken(id: string): Promise<void> {
  return send(api.DELETE('/api/v1/api-tokens/{id}', { params: { path: { id } } }));
}
