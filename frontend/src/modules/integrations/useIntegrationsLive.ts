import { useAuthStore } from '@/modules/auth/store';
import { integrationsTopic, type IntegrationEvents } from '@/realtime/topics';
import { useChannel } from '@/realtime/useChannel';
import { useIntegrationsStore } from './store';

const events: readonly (keyof IntegrationEvents)[] = [
  'sync_queued',
  'sync_started',
  'sync_progress',
  'sync_finished',
  'sync_failed',
  'sync_run_updated',
  'integration_created',
  'integration_updated',
  'integration_deleted',
  'webhook_processed',
];

/**
 * Follows `integrations:{tenant_id}` while the calling screen is open and feeds every event
 * to the integrations store. Returns the channel, for screens that react to one event
 * themselves (e.g. their integration deleted elsewhere).
 */
export function useIntegrationsLive() {
  const auth = useAuthStore();
  const store = useIntegrationsStore();
  const channel = useChannel<IntegrationEvents>(() => (auth.tenant ? integrationsTopic(auth.tenant.id) : null));
  for (const event of events) {
    channel.on(event, (payload) => store.receive(event, payload));
  }
  return channel;
}
