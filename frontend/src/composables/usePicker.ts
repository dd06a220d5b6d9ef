import { ref, shallowRef, watch, type Ref } from 'vue';
import { ApiError, isAbortError } from '@/api/errors';

/**
 * A search-as-you-type picker of records (PrimeVue AutoComplete with `force-selection`):
 * `typed` is the input's value (text while typing, a record once picked) and `model` gets
 * the picked record or `null`. Each search aborts the one before, so a slow answer for an
 * older text never replaces the newer one; a failure is kept to be said in place of
 * "nothing matches".
 */
export function usePicker<T extends object>(
  model: Ref<T | null>,
  search: (text: string, signal: AbortSignal) => Promise<T[]>,
) {
  const typed = ref<T | string | null>(model.value) as Ref<T | string | null>;
  const suggestions = shallowRef<T[]>([]);
  const problem = shallowRef<ApiError | null>(null);
  let inFlight: AbortController | null = null;

  watch(typed, (value) => {
    model.value = value !== null && typeof value === 'object' ? value : null;
  });
  watch(model, (value) => {
    if (value === null && typeof typed.value === 'object') typed.value = null;
  });

  async function complete(text: string): Promise<void> {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    try {
      const found = await search(text, controller.signal);
      if (inFlight !== controller) return;
      suggestions.value = found;
      problem.value = null;
    } catch (error) {
      if (isAbortError(error) || inFlight !== controller) return;
      problem.value = ApiError.from(error);
      suggestions.value = [];
    }
  }

  return { typed, suggestions, problem, complete };
}
