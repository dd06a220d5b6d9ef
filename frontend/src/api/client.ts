import createClient from 'openapi-fetch';
import { ApiError } from './errors';
import type { paths } from './schema';

/**
 * What the HTTP client needs from whoever holds the session (the auth store): the current
 * access token, and a way to renew it. `refresh` must be single-flight: concurrent callers
 * share one renewal, and it resolves `false` when the session could not be renewed.
 */
export interface SessionBinding {
  accessToken(): string | null;
  refresh(): Promise<boolean>;
}

let session: SessionBinding | null = null;

/** Called by the auth store when it is created; `null` detaches. */
export function bindSession(binding: SessionBinding | null): void {
  session = binding;
}

/** Endpoints that authenticate by what they are sent, not by the bearer token. */
const credentialEndpoints = new Set(['/api/v1/auth/login', '/api/v1/auth/signup', '/api/v1/auth/refresh']);
/** Endpoints where a 401 means "wrong credentials" or "already gone", never "renew and retry". */
const noRenewalEndpoints = new Set([...credentialEndpoints, '/api/v1/auth/logout']);

function authorize(request: Request, token: string | null): Request {
  if (token !== null) request.headers.set('Authorization', `Bearer ${token}`);
  return request;
}

/**
 * `fetch` with the bearer token; on a 401 it renews the access token once (sharing the
 * renewal with any concurrent 401s) and replays the request once with the new token.
 */
export async function authorizedFetch(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const replay = request.clone();
  const sentWith = credentialEndpoints.has(path) ? null : (session?.accessToken() ?? null);
  // globalThis.fetch is read on every call so tests (and polyfills) can replace it.
  const response = await globalThis.fetch(authorize(request, sentWith));
  if (response.status !== 401 || session === null || sentWith === null || noRenewalEndpoints.has(path)) {
    return response;
  }
  const current = session.accessToken();
  // Another request may already have renewed the token while this one was in flight.
  const renewed = current !== null && current !== sentWith ? true : await session.refresh();
  const token = session.accessToken();
  if (!renewed || token === null) return response;
  return globalThis.fetch(authorize(replay, token));
}

/** The typed client for the whole REST API. Paths and bodies are checked against `schema.d.ts`. */
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? '',
  fetch: authorizedFetch,
});

/** What every `api.*` call resolves to (openapi-fetch's `FetchResponse`, loosely). */
interface Outcome {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The success body of an `api.*` call. */
export type Body<R extends Outcome> = Exclude<R['data'], undefined>;

/**
 * Awaits an `api.*` call and returns its body, or throws an `ApiError`: for a problem
 * answer, an answer that is not 2xx, or a request that never got an answer.
 */
export async function unwrap<R extends Outcome>(call: Promise<R>): Promise<Body<R>> {
  return (await unwrapWithResponse(call)).body;
}

/** Like `unwrap`, also giving the `Response` (for headers such as `Idempotent-Replayed`). */
export async function unwrapWithResponse<R extends Outcome>(
  call: Promise<R>,
): Promise<{ body: Body<R>; response: Response }> {
  let outcome: R;
  try {
    outcome = await call;
  } catch (error) {
    throw ApiError.from(error);
  }
  if (!outcome.response.ok || outcome.error !== undefined) {
    throw ApiError.fromResponse(outcome.response, outcome.error);
  }
  if (outcome.data === undefined) {
    throw new ApiError({ status: outcome.response.status, code: 'unexpected_response' });
  }
  // openapi-fetch types `data` as the documented success body once `error` is absent.
  return { body: outcome.data as Body<R>, response: outcome.response };
}

/** Like `unwrap` for endpoints that answer 204 No Content. */
export async function send(call: Promise<Outcome>): Promise<void> {
  let outcome: Outcome;
  try {
    outcome = await call;
  } catch (error) {
    throw ApiError.from(error);
  }
  if (!outcome.response.ok || outcome.error !== undefined) {
    throw ApiError.fromResponse(outcome.response, outcome.error);
  }
}

/** A fresh key for `Idempotency-Key`, so a retried write is applied once. */
export function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; fall back to a v4 UUID from getRandomValues.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
