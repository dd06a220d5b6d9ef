import { Presence } from 'phoenix';
import { computed, onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useAuthStore } from '@/modules/auth/store';
import { presenceTopic } from './topics';
import { useChannel } from './useChannel';

/**
 * Someone connected to the tenant right now. The server tracks one presence per socket under
 * the caller's id (a user's, or an API token's) with the meta `{name, kind, online_at}`
 * (`backend/src/realtime/channels.rs`); several tabs of one user are one member.
 */
export interface OnlineMember {
  /** The user's (or API token's) id. */
  id: string;
  name: string;
  /** `user` or `api_token`. */
  kind: string;
  /** When their earliest open connection joined. */
  since: Date | null;
  /** Open connections (tabs, devices). */
  connections: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A phoenix.js presence entry (`{metas: [...]}` under its key) as a member; the wire is not trusted blindly. */
export function memberFrom(id: string, presence: unknown): OnlineMember {
  const metas = isRecord(presence) && Array.isArray(presence.metas) ? presence.metas.filter(isRecord) : [];
  const first = metas[0] ?? {};
  const joined = metas
    .map((meta) => meta.online_at)
    .filter((at): at is number => typeof at === 'number' && Number.isFinite(at));
  return {
    id,
    name: typeof first.name === 'string' && first.name.trim() ? first.name : 'Someone',
    kind: typeof first.kind === 'string' ? first.kind : 'user',
    since: joined.length ? new Date(Math.min(...joined) * 1000) : null,
    connections: Math.max(1, metas.length),
  };
}

const byName = (a: OnlineMember, b: OnlineMember) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/**
 * Who is online in the signed-in tenant, live: joins `presence:{tenant_id}` (which also
 * makes the caller visible to the others) and follows `presence_state` / `presence_diff`
 * with phoenix.js' `Presence`. `topic` overrides the tenant's topic (e.g. in tests).
 */
export function usePresence(topic?: MaybeRefOrGetter<string | null>) {
  const auth = useAuthStore();
  const members = shallowRef<readonly OnlineMember[]>([]);
  const channel = useChannel<Record<string, never>>(
    topic ?? (() => (auth.tenant ? presenceTopic(auth.tenant.id) : null)),
    {
      onChannel(joined) {
        const presence = new Presence(joined);
        presence.onSync(() => {
          members.value = presence.list((id: string, entry: unknown) => memberFrom(id, entry)).sort(byName);
        });
      },
    },
  );
  // Not joined (signed out, topic changed, refused): nobody is known to be online.
  watch(channel.status, (status) => {
    if (status === 'idle' || status === 'error') members.value = [];
  });
  onScopeDispose(() => {
    members.value = [];
  });

  const selfId = computed(() => auth.user?.id ?? null);
  /** The others online, without the signed-in user. */
  const others = computed(() => members.value.filter((member) => member.id !== toValue(selfId)));

  return { members, others, count: computed(() => members.value.length), status: channel.status };
}
