import { defineStore } from 'pinia';
import { reactive, ref, shallowRef } from 'vue';
import { api, unwrap } from '@/api/client';
import { ApiError } from '@/api/errors';
import type { Category, Location } from '@/api/types';
import type { AssetFilters } from './api';

const defaultFilters = (): AssetFilters => ({ status: null, q: '', sort: '-created_at' });

/**
 * What the assets screens keep between visits: the list's filters, and the tenant's
 * categories and locations for the pickers (loaded once per session).
 */
export const useAssetsStore = defineStore('assets', () => {
  const filters = reactive<AssetFilters>(defaultFilters());
  const categories = shallowRef<readonly Category[]>([]);
  const locations = shallowRef<readonly Location[]>([]);
  const lookupsLoaded = ref(false);
  const lookupsError = shallowRef<ApiError | null>(null);
  let lookupsRequest: Promise<void> | null = null;

  /** Loads categories and locations once (each list comes whole); concurrent callers share the request. */
  function loadLookups(): Promise<void> {
    if (lookupsLoaded.value) return Promise.resolve();
    lookupsRequest ??= (async () => {
      try {
        const [categoryPage, locationPage] = await Promise.all([
          unwrap(api.GET('/api/v1/categories')),
          unwrap(api.GET('/api/v1/locations')),
        ]);
        categories.value = categoryPage.data;
        locations.value = locationPage.data;
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
    lookupsLoaded.value = false;
    lookupsError.value = null;
    lookupsRequest = null;
  }

  return { filters, categories, locations, lookupsLoaded, lookupsError, loadLookups, $reset };
});
