import type { Pinia, PiniaPluginContext } from 'pinia';

interface Resettable {
  $id: string;
  $reset(): void;
}

const created = new WeakMap<Pinia, Map<string, Resettable>>();

/**
 * Pinia plugin that remembers every store of an app, so that `resetAllStores` can clear
 * them all on logout or tenant switch. Setup stores must return their own `$reset`.
 */
export function storeRegistry({ pinia, store }: PiniaPluginContext): void {
  let stores = created.get(pinia);
  if (!stores) {
    stores = new Map();
    created.set(pinia, stores);
  }
  stores.set(store.$id, store);
}

/** Resets every store created so far in `pinia` (but those named in `except`) to its signed-out state. */
export function resetAllStores(pinia: Pinia, except: readonly string[] = []): void {
  for (const store of created.get(pinia)?.values() ?? []) {
    if (!except.includes(store.$id)) store.$reset();
  }
}
