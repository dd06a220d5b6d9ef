import type { Asset, AssetSort } from '@/api/types';
import type { AssetFilters } from './api';

/** The asset list's default order: newest first, so a new asset belongs on top. */
export const defaultAssetSort: AssetSort = '-created_at';

/**
 * Whether `asset` belongs in the asset list under `filters`: its status, category and
 * location are known here; a search is run by the server (over tag, serial, name, model and
 * manufacturer), so with one the answer is `null` unless another filter already rules it out.
 */
export function matchesAssetFilters(asset: Asset, filters: AssetFilters): boolean | null {
  if (filters.status !== null && asset.status !== filters.status) return false;
  if (filters.categoryId && asset.category?.id !== filters.categoryId) return false;
  if (filters.locationId && asset.location?.id !== filters.locationId) return false;
  return filters.q.trim() === '' ? true : null;
}
