import { api, send, unwrap, unwrapWithResponse } from '@/api/client';
import type {
  Asset,
  AssetSort,
  AssetStatus,
  CheckinCondition,
  CreateAsset,
  Discrepancy,
  DiscrepancyStatus,
  HistoryEntry,
  UpdateAsset,
} from '@/api/types';
import type { Page, PageRequest } from '@/composables/usePagedList';

/** The filters of the asset list screen. */
export interface AssetFilters {
  status: AssetStatus | null;
  q: string;
  sort: AssetSort;
  categoryId?: string | null;
  locationId?: string | null;
}

export function listAssets({ cursor, limit, filters, signal }: PageRequest<AssetFilters>): Promise<Page<Asset>> {
  return unwrap(
    api.GET('/api/v1/assets', {
      params: {
        query: {
          limit,
          cursor: cursor ?? undefined,
          status: filters.status ?? undefined,
          q: filters.q.trim() || undefined,
          sort: filters.sort,
          category_id: filters.categoryId ?? undefined,
          location_id: filters.locationId ?? undefined,
        },
      },
      signal,
    }),
  );
}

/** In-stock assets matching `q` (tag, name, serial), for pickers. */
export async function searchInStockAssets(q: string, signal?: AbortSignal): Promise<Asset[]> {
  const page = await unwrap(
    api.GET('/api/v1/assets', {
      params: { query: { q: q.trim() || undefined, status: 'in_stock', limit: 20, sort: 'tag' } },
      signal,
    }),
  );
  return page.data;
}

export function getAsset(id: string): Promise<Asset> {
  return unwrap(api.GET('/api/v1/assets/{id}', { params: { path: { id } } }));
}

export function createAsset(body: CreateAsset, idempotencyKey: string): Promise<Asset> {
  return unwrap(api.POST('/api/v1/assets', { body, headers: { 'Idempotency-Key': idempotencyKey } }));
}

/**
 * Creates an asset and says whether the server only replayed the answer to an earlier
 * request with the same `Idempotency-Key` (`Idempotent-Replayed: true`): nothing new was made.
 */
export async function createAssetOnce(body: CreateAsset, idempotencyKey: string): Promise<{ asset: Asset; replayed: boolean }> {
  const { body: asset, response } = await unwrapWithResponse(
    api.POST('/api/v1/assets', { body, headers: { 'Idempotency-Key': idempotencyKey } }),
  );
  return { asset, replayed: response.headers.get('Idempotent-Replayed') === 'true' };
}

/**
 * Changes some fields of an asset. `version` is the one the user saw (sent as `If-Match`):
 * if someone changed the asset since, the server answers 409 `version_conflict`.
 */
export function updateAsset(id: string, changes: UpdateAsset, version: number, idempotencyKey?: string): Promise<Asset> {
  return unwrap(
    api.PATCH('/api/v1/assets/{id}', {
      params: { path: { id } },
      body: changes,
      headers: { 'If-Match': `"${version}"`, ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}) },
    }),
  );
}

/** Deletes an asset (the server keeps it for history); 409 `conflict` while it is checked out. */
export function deleteAsset(id: string, version: number): Promise<void> {
  return send(
    api.DELETE('/api/v1/assets/{id}', { params: { path: { id } }, headers: { 'If-Match': `"${version}"` } }),
  );
}

/**
 * Every asset matching `filters`, walking all pages with the cursor (500 a page);
 * `onProgress` hears the running count after each page.
 */
export async function listAllAssets(
  filters: AssetFilters,
  options: { signal?: AbortSignal; onProgress?: (loaded: number) => void } = {},
): Promise<Asset[]> {
  const all: Asset[] = [];
  let cursor: string | null = null;
  const signal = options.signal ?? new AbortController().signal;
  do {
    const page: Page<Asset> = await listAssets({ cursor, limit: 500, filters, signal });
    all.push(...page.data);
    options.onProgress?.(all.length);
    cursor = page.next_cursor ?? null;
  } while (cursor !== null);
  return all;
}

export function listAssetHistory({ cursor, limit, filters: id, signal }: PageRequest<string>): Promise<Page<HistoryEntry>> {
  return unwrap(
    api.GET('/api/v1/assets/{id}/history', {
      params: { path: { id }, query: { limit, cursor: cursor ?? undefined } },
      signal,
    }),
  );
}

export interface CheckoutInput {
  employeeId: string;
  dueAt: string | null;
  note: string | null;
}

export function checkoutAsset(id: string, input: CheckoutInput, idempotencyKey: string): Promise<Asset> {
  return unwrap(
    api.POST('/api/v1/assets/{id}/checkout', {
      params: { path: { id } },
      body: { employee_id: input.employeeId, due_at: input.dueAt, note: input.note },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  );
}

export function checkinAsset(
  id: string,
  input: { condition: CheckinCondition | null; note: string | null },
  idempotencyKey: string,
): Promise<Asset> {
  return unwrap(
    api.POST('/api/v1/assets/{id}/checkin', {
      params: { path: { id } },
      body: { condition: input.condition, note: input.note },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  );
}

/** Discrepancies of one status (all when none), newest first, at most 500. Admins. */
export function listDiscrepancies(status: DiscrepancyStatus | null): Promise<Discrepancy[]> {
  return unwrap(api.GET('/api/v1/discrepancies', { params: { query: { status: status ?? undefined } } }));
}

/** Dismisses an open discrepancy; 422 `invalid_transition` once it is resolved or dismissed. */
export function dismissDiscrepancy(id: string): Promise<Discrepancy> {
  return unwrap(api.POST('/api/v1/discrepancies/{id}/dismiss', { params: { path: { id } } }));
}

/**
 * The straight-line depreciation schedule of every asset with a cost and a purchase date (one
 * CSV row per asset and month), as a file. Fetched with the session's bearer token (a plain
 * link would carry none). Admins.
 */
export function downloadDepreciationSchedule(): Promise<Blob> {
  return unwrap(api.GET('/api/v1/reports/depreciation.csv', { parseAs: 'blob' }));
}
