import type { Approval, Workflow, WorkflowStep, WorkflowTemplate } from '@/api/types';

export const hireId = '0190b7a4-0000-7000-8000-0000000002e1';
export const managerUserId = '0190b7a4-0000-7000-8000-00000000030a';

/** A step of `onboardingFixture()`; `id` ends in its position. */
export function stepFixture(position: number, kind: string, status: string, extra: Partial<WorkflowStep> = {}): WorkflowStep {
  return {
    id: `0190b7a4-0000-7000-8000-0000000004${String(position).padStart(2, '0')}`,
    position,
    kind,
    name: kind,
    status,
    assignee_role: kind === 'approval' ? 'manager' : 'admin',
    assignee_user_id: null,
    due_at: '2026-12-01T17:00:00Z',
    asset_id: null,
    detail: null,
    decided_by: null,
    note: null,
    started_at: status === 'pending' ? null : '2026-11-25T10:00:00Z',
    completed_at: null,
    ...extra,
  };
}

/**
 * An onboarding as the server answers it, waiting for the manager's approval (the default
 * template's four steps); `extra` on top.
 */
export function onboardingFixture(extra: Partial<Workflow> = {}): Workflow {
  return {
    id: '0190b7a4-0000-7000-8000-0000000005a1',
    kind: 'onboarding',
    status: 'open',
    trigger: 'hris',
    employee: { id: hireId, name: 'Nova Hire', email: 'nova@acme.test' },
    due_date: '2026-12-01',
    steps: [
      stepFixture(0, 'approval', 'active', { name: 'Manager approves the equipment', assignee_user_id: managerUserId }),
      stepFixture(1, 'reserve_asset', 'pending', { name: 'Reserve a laptop' }),
      stepFixture(2, 'ship', 'pending', { name: 'Ship the laptop' }),
      stepFixture(3, 'check_out', 'pending', { name: 'Hand over (check out)' }),
    ],
    version: 1,
    created_at: '2026-11-25T10:00:00Z',
    updated_at: '2026-11-25T10:00:00Z',
    closed_at: null,
    ...extra,
  };
}

/** `workflow` with the step at `position` changed by `change`, one version on. */
export function withStep(workflow: Workflow, position: number, change: Partial<WorkflowStep>): Workflow {
  return {
    ...workflow,
    version: workflow.version + 1,
    updated_at: new Date(Date.parse(workflow.updated_at) + 1000).toISOString(),
    steps: workflow.steps.map((step) => (step.position === position ? { ...step, ...change } : step)),
  };
}

/** The approval of `workflow` (its first step) as `GET /approvals` lists it. */
export function approvalOf(workflow: Workflow): Approval {
  const step = workflow.steps[0];
  if (!step) throw new Error('a workflow without steps has no approval');
  return { workflow_id: workflow.id, workflow_kind: workflow.kind, employee: workflow.employee, step };
}

/** The built-in onboarding template, as `GET /workflow-templates` answers it. */
export function onboardingTemplateFixture(extra: Partial<WorkflowTemplate> = {}): WorkflowTemplate {
  return {
    kind: 'onboarding',
    name: 'Onboarding',
    version: 0,
    updated_at: null,
    steps: [
      { kind: 'approval', name: 'Manager approves the equipment', assignee: 'manager', due_in_days: -10 },
      { kind: 'reserve_asset', name: 'Reserve a laptop', assignee: 'admin', due_in_days: -7, category: 'Laptop' },
      { kind: 'ship', name: 'Ship the laptop', assignee: 'admin', due_in_days: -3 },
      { kind: 'check_out', name: 'Hand over (check out)', assignee: 'admin', due_in_days: 0 },
    ],
    ...extra,
  };
}
