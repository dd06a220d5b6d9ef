import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError } from '@/api/errors';
import type { Approval, Workflow } from '@/api/types';
import { listApprovals } from './api';
import { useWorkflowsStore } from './store';

/**
 * The caller's approvals inbox (`GET /approvals`): the approvals waiting for them (every open
 * one for admins), their count for the menu badge, and deciding one from the inbox.
 * `useWorkflowsLive` reloads it when a workflow with an approval changes.
 */
export const useApprovalsStore = defineStore('approvals', () => {
  const workflows = useWorkflowsStore();
  const items = shallowRef<readonly Approval[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = shallowRef<ApiError | null>(null);
  const count = computed(() => items.value.length);

  let inFlight: Promise<void> | null = null;
  let stale = false;
  /** Bumped by `$reset`, so an answer for a session that ended is dropped. */
  let session = 0;

  /**
   * Loads the inbox. Calls while a load runs are folded into one more load after it (a
   * burst of events costs two requests, and the last answer is never older than the last event).
   */
  function load(): Promise<void> {
    if (inFlight) {
      stale = true;
      return inFlight;
    }
    const mine = session;
    inFlight = (async () => {
      loading.value = true;
      do {
        stale = false;
        try {
          const fresh = await listApprovals();
          if (mine !== session) return;
          items.value = fresh;
          loaded.value = true;
          error.value = null;
        } catch (caught) {
          if (mine !== session) return;
          error.value = ApiError.from(caught);
        }
      } while (stale);
      loading.value = false;
    })().finally(() => {
      if (mine === session) inFlight = null;
    });
    return inFlight;
  }

  /**
   * Loads the inbox unless it is loaded or on its way: for screens, since the shell loads it
   * at start-up and keeps it current (a second load would only fetch the same again).
   */
  function ensureLoaded(): Promise<void> {
    if (inFlight) return inFlight;
    return loaded.value ? Promise.resolve() : load();
  }

  function forget(approval: Approval): void {
    items.value = items.value.filter((item) => item.step.id !== approval.step.id);
  }

  /**
   * Approves or rejects from the inbox. The approval leaves the inbox once decided, and also
   * when someone else decided it first (`step_not_active`, thrown on for the screen to say).
   */
  async function decide(
    approval: Approval,
    decision: 'approve' | 'reject',
    note: string | null,
    idempotencyKey: string,
  ): Promise<Workflow> {
    try {
      const workflow = await workflows.act(approval.workflow_id, approval.step.id, decision, { note }, idempotencyKey);
      forget(approval);
      return workflow;
    } catch (caught) {
      const problem = ApiError.from(caught);
      if (problem.code === 'step_not_active' || problem.status === 404) {
        forget(approval);
        void load();
      }
      throw problem;
    }
  }

  function $reset(): void {
    session += 1;
    inFlight = null;
    stale = false;
    items.value = [];
    loaded.value = false;
    loading.value = false;
    error.value = null;
  }

  return { items, loaded, loading, error, count, load, ensureLoaded, decide, $reset };
});
