import { computed, shallowRef, watch } from 'vue';
import type { Asset, Workflow } from '@/api/types';
import { useAuthStore } from '@/modules/auth/store';
import { getAsset } from '@/modules/assets/api';
import type { Viewer } from './steps';
import { useWorkflowsStore } from './store';

/**
 * Who is looking at a workflow (what they may do to its steps), and the names of the users
 * its steps mention: "You" for the viewer, others by name for those who may read users.
 */
export function useWorkflowViewer() {
  const auth = useAuthStore();
  const store = useWorkflowsStore();
  if (auth.can('users.read')) void store.loadUserNames();

  const viewer = computed<Viewer>(() => ({ userId: auth.user?.id ?? null, canManage: auth.can('workflows.manage') }));
  const nameOf = (userId: string): string | null => (userId === auth.user?.id ? 'You' : (store.userNames[userId] ?? null));
  return { viewer, nameOf };
}

/**
 * The assets a workflow's steps name (reserved, handed over), loaded by id and loaded again
 * when the workflow changes (a hand-over changes the asset's status).
 */
export function useStepAssets(workflow: () => Workflow | null) {
  const assets = shallowRef<Readonly<Record<string, Asset>>>({});
  watch(
    () => {
      const current = workflow();
      const ids = new Set(current?.steps.flatMap((step) => (step.asset_id ? [step.asset_id] : [])) ?? []);
      return current ? `${current.version}:${[...ids].join(',')}` : '';
    },
    async (key) => {
      const ids = key.split(':')[1]?.split(',').filter(Boolean) ?? [];
      for (const id of ids) {
        const asset = await getAsset(id).catch(() => null);
        if (asset) assets.value = { ...assets.value, [id]: asset };
      }
    },
    { immediate: true },
  );
  return assets;
}
