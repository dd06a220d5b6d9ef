import { watch } from 'vue';
import { useAuthStore } from '@/modules/auth/store';
import { assetsTopic, type AssetEvents } from '@/realtime/topics';
import { useChannel } from '@/realtime/useChannel';
import { useDiscrepanciesStore } from './discrepancies';

/**
 * Keeps the discrepancies of the whole signed-in app current (the shell calls it once, for the
 * count in the menu): for those who may see them (admins), loads the open ones at once and
 * follows `discrepancy_opened`, `discrepancy_resolved` and `discrepancy_dismissed` on
 * `assets:{tenant_id}`; after a rejoin, which may have missed events, reloads the lists held.
 */
export function useDiscrepanciesLive() {
  const auth = useAuthStore();
  const store = useDiscrepanciesStore();
  const sees = () => auth.can('assets.write');

  const channel = useChannel<AssetEvents>(() => (auth.tenant && sees() ? assetsTopic(auth.tenant.id) : null));
  channel.on('discrepancy_opened', ({ discrepancy }) => store.receive(discrepancy));
  channel.on('discrepancy_resolved', ({ discrepancy }) => store.receive(discrepancy));
  channel.on('discrepancy_dismissed', ({ discrepancy }) => store.receive(discrepancy));

  watch(
    [() => auth.user?.id, sees],
    ([user, may]) => {
      if (user && may) void store.load('open');
    },
    { immediate: true },
  );
  channel.onRejoin(() => {
    if (!sees()) return;
    for (const held of ['open', 'resolved', 'dismissed'] as const) if (store.isLoaded(held)) void store.load(held);
  });

  return channel;
}
