import { computed, onMounted } from 'vue';
import { showValue } from './history';
import { useAssetsStore } from './store';

/**
 * Shows a changed value the way people know it: the id of a category, model or location
 * becomes its name (from the catalog the assets store loads once); anything else as
 * `showValue` does.
 */
export function useCatalogNames() {
  const store = useAssetsStore();
  onMounted(() => void store.loadLookups());

  const namesById = computed(() => {
    const names = new Map<string, string>();
    for (const c of store.categories) names.set(c.id, c.name);
    for (const l of store.locations) names.set(l.id, l.name);
    for (const m of store.models) names.set(m.id, `${m.manufacturer} ${m.name}`);
    return names;
  });

  return (value: unknown): string =>
    typeof value === 'string' ? (namesById.value.get(value) ?? showValue(value)) : showValue(value);
}
