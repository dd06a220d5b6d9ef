import { defineStore } from 'pinia';
import { reactive, ref, shallowRef } from 'vue';
import { api, unwrap } from '@/api/client';
import { ApiError } from '@/api/errors';
import type { AssetModel, Category, Location } from '@/api/types';
import type { AssetFilters } from './api';
import { defaultAssetSort } from './list';

const defaultFilters = (): AssetFilters => ({
  status: null,
  q: '',
  sort: defaultAssetSort,
  categoryId: null,
  locationId: null,
});

/**
 * What the assets screens keep between visits: the list's filters, and the tenant's
 * categories, models and locations for the pickers (loaded once per session).
 */
export const useAssetsStore = defineStore('assets', () => {
  const filters = reactive<AssetFilters>(defaultFilters());
  const categories = shallowRef<readonly Category[]>([]);
  const locations = shallowRef<readonly Location[]>([]);
  const models = shallowRef<readonly AssetModel[]>([]);
  const lookupsLoaded = ref(false);
  const lookupsError = shallowRef<ApiError | null>(null);
  let lookupsRequest: Promise<void> | null = null;

  /** Forgets the lookups, e.g. after the catalog changed, so the next form loads them again. */
  function invalidateLookups(): void {
    lookupsLoaded.value = false;
  }

  /** Loads categories, models and locations once (each list comes whole); concurrent callers share the request. */
  function loadLookups(): Promise<void> {
    if (lookupsLoaded.value) return Promise.resolve();
    lookupsRequest ??= (async () => {
      try {
        const [categoryPage, locationPage, modelPage] = await Promise.all([
          unwrap(api.GET('/api/v1/categories')),
          unwrap(api.GET('/api/v1/locations')),
          unwrap(api.GET('/api/v1/models')),
        ]);
        categories.value = categoryPage.data;
        locations.value = locationPage.data;
        models.value = modelPage.data;
        lookupsLoaded.value = true;
        lookupsError.value = null;
      } catch (error) {
        lookupsError.value = ApiError.from(error);
      } finally {
        lookupsRequest = null;
      }
    })();
    return lookupsRequest;
  }

  function $reset(): void {
    Object.assign(filters, defaultFilters());
    categories.value = [];
    locations.value = [];
    models.value = [];
    lookupsLoaded.value = false;
    lookupsError.value = null;
    lookupsRequest = null;
  }

  return {
    filters,
    categories,
    locations,
    models,
    lookupsLoaded,
    lookupsError,
    loadLookups,
    invalidateLookups,
    $reset,
  };
});
