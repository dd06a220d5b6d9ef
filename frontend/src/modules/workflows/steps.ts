import type { StepAssignee, StepKind, StepStatus, Workflow, WorkflowKind, WorkflowStatus, WorkflowStep } from '@/api/types';
import type { Shown } from '@/components/status';
import { countOf } from '@/locale/plural';
import type { StepDecision } from './api';

/**
 * The workflow rules the screens need, mirroring `backend/src/workflows/{model,service}.rs`:
 * steps run in order; an approval waits for the person's manager (or any admin), every other
 * step for an admin; a rejection ends the workflow. The server decides every request.
 */

export const workflowKinds: Readonly<Record<WorkflowKind, string>> = {
  onboarding: 'Onboarding',
  offboarding: 'Offboarding',
};

export const workflowStatuses: Readonly<Record<WorkflowStatus, Shown>> = {
  open: { label: 'Open', severity: 'info' },
  completed: { label: 'Completed', severity: 'success' },
  rejected: { label: 'Rejected', severity: 'danger' },
  cancelled: { label: 'Cancelled', severity: 'secondary' },
};

export const stepStatuses: Readonly<Record<StepStatus, Shown>> = {
  pending: { label: 'Pending', severity: 'secondary' },
  active: { label: 'Waiting', severity: 'info' },
  blocked: { label: 'Blocked', severity: 'warn' },
  done: { label: 'Done', severity: 'success' },
  rejected: { label: 'Rejected', severity: 'danger' },
  skipped: { label: 'Skipped', severity: 'secondary' },
};

/** The icon of a step's state on the timeline. */
export const stepIcons: Readonly<Record<StepStatus, string>> = {
  pending: 'pi pi-circle',
  active: 'pi pi-clock',
  blocked: 'pi pi-exclamation-triangle',
  done: 'pi pi-check-circle',
  rejected: 'pi pi-times-circle',
  skipped: 'pi pi-minus-circle',
};

export const stepKinds: Readonly<Record<StepKind, { label: string; description: string }>> = {
  approval: { label: 'Approval', description: 'The manager (or an admin) approves or rejects; a rejection ends the workflow.' },
  reserve_asset: {
    label: 'Reserve an asset',
    description: 'Reserves an in-stock asset of a category; blocked until one is named when none is in stock.',
  },
  ship: { label: 'Ship', description: 'The reserved asset is on its way (note the tracking number).' },
  check_out: { label: 'Hand over', description: 'Completing it checks the reserved asset out to the person.' },
  collect_assets: { label: 'Collect assets', description: 'Get back every asset the person holds.' },
  check_in: { label: 'Check in', description: 'Completing it checks in everything the person still holds.' },
  wipe_device: { label: 'Wipe devices', description: 'Wipes the devices through the MDM; skipped without one.' },
  open_ticket: {
    label: 'Service desk ticket',
    description: 'Opens a ticket in the IT service desk and moves on once it is resolved; skipped without one.',
  },
  task: { label: 'Task', description: 'Anything else someone must do and tick off.' },
};

export const assignees: Readonly<Record<StepAssignee, string>> = {
  manager: "The person's manager",
  admin: 'An admin',
};

export const triggers: Readonly<Record<string, string>> = {
  hris: 'HR system',
  manual: 'Started by hand',
};

/** A label for a value the document types as a string; an unknown one is shown as it comes. */
export function labelOf(table: Readonly<Record<string, string>>, value: string): string {
  return table[value] ?? value;
}

export function stepKindLabel(kind: string): string {
  return kind in stepKinds ? stepKinds[kind as StepKind].label : kind;
}

/** Waiting for someone (`active`) or something (`blocked`). */
export function isAwaiting(step: Pick<WorkflowStep, 'status'>): boolean {
  return step.status === 'active' || step.status === 'blocked';
}

/** The step the workflow is at: the one waiting, else the one that ended it. */
export function currentStep(workflow: Workflow): WorkflowStep | undefined {
  return workflow.steps.find(isAwaiting) ?? workflow.steps.find((step) => step.status === 'rejected');
}

/** Steps finished (done or skipped) of all. */
export function progressOf(workflow: Workflow): { finished: number; total: number } {
  const finished = workflow.steps.filter((step) => step.status === 'done' || step.status === 'skipped').length;
  return { finished, total: workflow.steps.length };
}

/** "2 of 4 steps finished", "0 of 1 step finished". */
export function describeProgress(progress: { finished: number; total: number }): string {
  return `${progress.finished} of ${countOf(progress.total, 'step')} finished`;
}

/** Who is looking: their user id and whether they may manage workflows (admins and owners). */
export interface Viewer {
  userId: string | null;
  canManage: boolean;
}

/**
 * What `viewer` may do to `step` now: an active approval is approved or rejected by its
 * assigned manager or any admin; any other waiting step is completed by an admin.
 */
export function stepDecisions(workflow: Pick<Workflow, 'status'>, step: WorkflowStep, viewer: Viewer): StepDecision[] {
  if (workflow.status !== 'open' || !isAwaiting(step)) return [];
  if (step.kind === 'approval') {
    const mine = step.assignee_user_id != null && step.assignee_user_id === viewer.userId;
    return step.status === 'active' && (mine || viewer.canManage) ? ['approve', 'reject'] : [];
  }
  return viewer.canManage ? ['complete'] : [];
}

/** Completing it names the asset to reserve (when none could be reserved automatically). */
export function needsAsset(step: Pick<WorkflowStep, 'kind'>): boolean {
  return step.kind === 'reserve_asset';
}

/** Past its due time and still waiting. */
export function isOverdue(step: Pick<WorkflowStep, 'status' | 'due_at'>, now: Date = new Date()): boolean {
  return isAwaiting(step) && step.due_at != null && Date.parse(step.due_at) < now.getTime();
}

/**
 * The fresher of two copies of one workflow: every change raises its `version`; copies of
 * the same version (an answer and the event of the same change) are the same.
 */
export function fresher(held: Workflow | undefined, incoming: Workflow): Workflow {
  if (!held) return incoming;
  if (incoming.version !== held.version) return incoming.version > held.version ? incoming : held;
  return incoming.updated_at >= held.updated_at ? incoming : held;
}
