import { onScopeDispose, readonly, shallowRef, watch, type Ref } from 'vue';

/**
 * Follows `source` after it has been still for `delay` ms: bind an input to `source`
 * and send the debounced value to the server, so typing does not fire a request per key.
 */
export function useDebouncedRef<T>(source: Ref<T>, delay = 300): Readonly<Ref<T>> {
  const settled = shallowRef(source.value);
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(source, (value) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      settled.value = value;
    }, delay);
  });
  onScopeDispose(() => clearTimeout(timer));
  return readonly(settled) as Readonly<Ref<T>>;
}
