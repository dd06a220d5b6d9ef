import { ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { ApiError } from '@/api/errors';

/**
 * One record loaded from the API for a key (usually a route id), reloaded when the key
 * changes. A late answer for an old key is dropped.
 */
export function useResource<T, K>(key: MaybeRefOrGetter<K>, load: (key: K) => Promise<T>) {
  const data = shallowRef<T | null>(null);
  const error = shallowRef<ApiError | null>(null);
  const loading = ref(false);
  let generation = 0;

  async function reload(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const value = await load(toValue(key));
      if (mine === generation) data.value = value;
    } catch (caught) {
      if (mine === generation) error.value = ApiError.from(caught);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  /** Replaces the loaded value (e.g. with the answer of a write). */
  function set(value: T): void {
    data.value = value;
  }

  watch(
    () => toValue(key),
    () => {
      data.value = null;
      void reload();
    },
    { immediate: true },
  );

  return { data, error, loading, reload, set };
}
