import { computed, onMounted } from 'vue';
import type { NameOf } from '@/modules/audit/changes';
import { useAssetsStore } from './store';

/**
 * The names of the tenant's categories, models and locations by id (from the catalog the
 * assets store loads once), so a change to `category_id` reads "Laptops", not an id.
 */
export function useCatalogNames(): NameOf {
  const store = useAssetsStore();
  onMounted(() => void store.loadLookups());

  const namesById = computed(() => {
    const names = new Map<string, string>();
    for (const c of store.categories) names.set(c.id, c.name);
    for (const l of store.locations) names.set(l.id, l.name);
    for (const m of store.models) names.set(m.id, `${m.manufacturer} ${m.name}`);
    return names;
  });

  return (id: string) => namesById.value.get(id);
}
