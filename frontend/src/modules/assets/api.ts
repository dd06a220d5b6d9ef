import { api, unwrap } from '@/api/client';
import type {
  Asset,
  AssetSort,
  AssetStatus,
  CheckinCondition,
  CreateAsset,
  HistoryEntry,
} from '@/api/types';
import type { Page, PageRequest } from '@/composables/usePagedList';

/** The filters of the asset list screen. */
export interface AssetFilters {
  status: AssetStatus | null;
  q: string;
  sort: AssetSort;
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
        },
      },
      signal,
    }),
  );
}

export function getAsset(id: string): Promise<Asset> {
  return unwrap(api.GET('/api/v1/assets/{id}', { params: { path: { id } } }));
}

export function createAsset(body: CreateAsset, idempotencyKey: string): Promise<Asset> {
  return unwrap(api.POST('/api/v1/assets', { body, headers: { 'Idempotency-Key': idempotencyKey } }));
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
