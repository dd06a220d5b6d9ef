import { api, unwrap } from '@/api/client';
import type {
  Approval,
  SaveTemplate,
  StartWorkflow,
  StepAction,
  Workflow,
  WorkflowKind,
  WorkflowStatus,
  WorkflowTemplate,
} from '@/api/types';
import type { Page, PageRequest } from '@/composables/usePagedList';

/** The filters of the workflow list (and of one person's workflows). */
export interface WorkflowFilters {
  status: WorkflowStatus | null;
  kind: WorkflowKind | null;
  employeeId?: string | null;
}

/** Workflows, newest first, keyset-paged (the server caps a page at 100). */
export function listWorkflows({ cursor, limit, filters, signal }: PageRequest<WorkflowFilters>): Promise<Page<Workflow>> {
  return unwrap(
    api.GET('/api/v1/workflows', {
      params: {
        query: {
          limit: Math.min(limit, 100),
          cursor: cursor ?? undefined,
          status: filters.status ?? undefined,
          kind: filters.kind ?? undefined,
          employee_id: filters.employeeId ?? undefined,
        },
      },
      signal,
    }),
  );
}

export function getWorkflow(id: string): Promise<Workflow> {
  return unwrap(api.GET('/api/v1/workflows/{id}', { params: { path: { id } } }));
}

/** Opens a workflow by hand from the tenant's template; 409 `conflict` when one of that kind is open. */
export function startWorkflow(body: StartWorkflow, idempotencyKey: string): Promise<Workflow> {
  return unwrap(api.POST('/api/v1/workflows', { body, headers: { 'Idempotency-Key': idempotencyKey } }));
}

/** Cancels an open workflow (its remaining steps are skipped); 422 `invalid_transition` once closed. */
export function cancelWorkflow(id: string, reason: string | null, idempotencyKey: string): Promise<Workflow> {
  return unwrap(
    api.POST('/api/v1/workflows/{id}/cancel', {
      params: { path: { id } },
      body: { reason },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  );
}

/** What a person does to a step: approvals are approved or rejected, other steps completed. */
export type StepDecision = 'approve' | 'reject' | 'complete';

const stepPaths = {
  approve: '/api/v1/workflows/{id}/steps/{step_id}/approve',
  reject: '/api/v1/workflows/{id}/steps/{step_id}/reject',
  complete: '/api/v1/workflows/{id}/steps/{step_id}/complete',
} as const;

/**
 * Decides or completes a step and answers the workflow as it is now. A step that no longer
 * awaits this (someone else acted) is a 409 `step_not_active`.
 */
export function actOnStep(
  workflowId: string,
  stepId: string,
  decision: StepDecision,
  body: StepAction,
  idempotencyKey: string,
): Promise<Workflow> {
  return unwrap(
    api.POST(stepPaths[decision], {
      params: { path: { id: workflowId, step_id: stepId } },
      body,
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  );
}

/** The approvals waiting for the caller (every open one for admins). */
export async function listApprovals(): Promise<Approval[]> {
  return (await unwrap(api.GET('/api/v1/approvals'))).data;
}

/** The onboarding and offboarding templates (the built-in ones until edited). */
export async function listTemplates(): Promise<WorkflowTemplate[]> {
  return (await unwrap(api.GET('/api/v1/workflow-templates'))).data;
}

/** Replaces a template; workflows already open keep their steps. */
export function saveTemplate(kind: WorkflowKind, body: SaveTemplate): Promise<WorkflowTemplate> {
  return unwrap(api.PUT('/api/v1/workflow-templates/{kind}', { params: { path: { kind } }, body }));
}
