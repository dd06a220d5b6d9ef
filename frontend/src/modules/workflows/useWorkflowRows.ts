import { computed, toValue, watch, type MaybeRefOrGetter } from 'vue';
import type { Workflow } from '@/api/types';
import { useLiveArrivals, type ArrivalList } from '@/composables/useLiveArrivals';
import type { WorkflowFilters } from './api';
import { liveRows, matchesFilters, openedSince } from './list';
import { useWorkflowsStore } from './store';

/**
 * The rows of a paged workflow list (newest first), live from the workflows store (which the
 * shell feeds from `workflows:{tenant_id}`): loaded rows in their freshest copy, and workflows
 * opened meanwhile inserted on top or counted for "N new — Show" (`useLiveArrivals`).
 */
export function useWorkflowRows(list: ArrivalList<Workflow>, filters: MaybeRefOrGetter<WorkflowFilters>) {
  const store = useWorkflowsStore();
  const arrivals = useLiveArrivals(list, { matches: (workflow) => matchesFilters(workflow, toValue(filters)) });

  watch(
    () => store.seen,
    (seen, before) => {
      for (const workflow of openedSince(before, seen, list.items.value)) arrivals.receive(workflow);
    },
  );

  const rows = computed(() => liveRows(list.items.value, store.seen));
  return { rows, waiting: arrivals.waiting, show: arrivals.show };
}
