import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import { ApiError } from '@/api/errors';
import type { SaveTemplate, StepAction, Workflow, WorkflowKind, WorkflowTemplate } from '@/api/types';
import type { WorkflowEvents } from '@/realtime/topics';
import { listUsers } from '@/modules/settings/api';
import {
  actOnStep,
  cancelWorkflow,
  getWorkflow,
  listTemplates,
  saveTemplate as putTemplate,
  startWorkflow,
  type StepDecision,
  type WorkflowFilters,
} from './api';
import { fresher, workflowKinds } from './steps';

const kindOrder = Object.keys(workflowKinds);
const defaultFilters = (): WorkflowFilters => ({ status: 'open', kind: null });

/**
 * The workflows seen in this session, each in its freshest copy (from answers and the
 * `workflows:{tenant_id}` channel, see `useWorkflowsLive`), the templates, the list's filters,
 * and the names of the users steps mention.
 */
export const useWorkflowsStore = defineStore('workflows', () => {
  const filters = reactive<WorkflowFilters>(defaultFilters());
  const seen = shallowRef<Readonly<Record<string, Workflow>>>({});
  const templates = shallowRef<readonly WorkflowTemplate[]>([]);
  const templatesLoaded = ref(false);
  /** User id → name, for who decided a step or waits on it (only readable by admins). */
  const userNames = shallowRef<Readonly<Record<string, string>>>({});
  let usersRequested = false;

  const byId = computed(() => (id: string): Workflow | undefined => seen.value[id]);
  const template = computed(() => (kind: WorkflowKind) => templates.value.find((t) => t.kind === kind));

  /** Keeps `workflow` unless a fresher copy is held; answers the one kept. */
  function remember(workflow: Workflow): Workflow {
    const kept = fresher(seen.value[workflow.id], workflow);
    if (kept !== seen.value[workflow.id]) seen.value = { ...seen.value, [workflow.id]: kept };
    return kept;
  }

  async function load(id: string): Promise<Workflow> {
    return remember(await getWorkflow(id));
  }

  /**
   * Approves, rejects or completes a step. When the step no longer waits for this (someone
   * else acted: `step_not_active`) or cannot be found, the workflow is reloaded so the
   * screen shows what happened, and the problem is thrown on.
   */
  async function act(
    workflowId: string,
    stepId: string,
    decision: StepDecision,
    body: StepAction,
    idempotencyKey: string,
  ): Promise<Workflow> {
    try {
      return remember(await actOnStep(workflowId, stepId, decision, body, idempotencyKey));
    } catch (caught) {
      const problem = ApiError.from(caught);
      if (problem.code === 'step_not_active' || problem.code === 'invalid_transition') {
        await load(workflowId).catch(() => undefined);
      }
      throw problem;
    }
  }

  async function cancel(workflowId: string, reason: string | null, idempotencyKey: string): Promise<Workflow> {
    try {
      return remember(await cancelWorkflow(workflowId, reason, idempotencyKey));
    } catch (caught) {
      if (ApiError.from(caught).code === 'invalid_transition') await load(workflowId).catch(() => undefined);
      throw caught;
    }
  }

  async function start(employeeId: string, kind: WorkflowKind, idempotencyKey: string): Promise<Workflow> {
    return remember(await startWorkflow({ employee_id: employeeId, kind }, idempotencyKey));
  }

  async function loadTemplates(): Promise<void> {
    templates.value = await listTemplates();
    templatesLoaded.value = true;
  }

  function upsertTemplate(saved: WorkflowTemplate): void {
    const others = templates.value.filter((t) => t.kind !== saved.kind);
    const held = template.value(saved.kind);
    if (held && held.version > saved.version) return;
    templates.value = [...others, saved].sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind));
  }

  async function saveTemplate(kind: WorkflowKind, body: SaveTemplate): Promise<WorkflowTemplate> {
    const saved = await putTemplate(kind, body);
    upsertTemplate(saved);
    return saved;
  }

  /** Loads the users' names once, for those allowed to read users; others see "you" or a role. */
  async function loadUserNames(): Promise<void> {
    if (usersRequested) return;
    usersRequested = true;
    try {
      userNames.value = Object.fromEntries((await listUsers()).map((user) => [user.id, user.name]));
    } catch {
      usersRequested = false;
    }
  }

  const handlers: { [K in keyof WorkflowEvents]: (payload: WorkflowEvents[K]) => void } = {
    workflow_opened: ({ workflow }) => void remember(workflow),
    workflow_updated: ({ workflow }) => void remember(workflow),
    template_updated: ({ template: saved }) => upsertTemplate(saved),
  };

  /** Applies one event of the `workflows:{tenant_id}` channel. */
  function receive<K extends keyof WorkflowEvents>(event: K, payload: WorkflowEvents[K]): void {
    handlers[event](payload);
  }

  function $reset(): void {
    Object.assign(filters, defaultFilters());
    seen.value = {};
    templates.value = [];
    templatesLoaded.value = false;
    userNames.value = {};
    usersRequested = false;
  }

  return {
    filters,
    seen,
    templates,
    templatesLoaded,
    userNames,
    byId,
    template,
    remember,
    load,
    act,
    cancel,
    start,
    loadTemplates,
    saveTemplate,
    loadUserNames,
    receive,
    $reset,
  };
});
