import type { SaveTemplate, StepAssignee, StepKind, WorkflowTemplate } from '@/api/types';

/** One step of a template as the editor holds it; `key` keeps a row's identity while steps move. */
export interface StepDraft {
  key: number;
  kind: StepKind;
  name: string;
  assignee: StepAssignee;
  dueInDays: number;
  category: string;
}

export interface TemplateDraft {
  name: string;
  steps: StepDraft[];
}

let nextKey = 1;

export function newStep(kind: StepKind = 'task'): StepDraft {
  return { key: nextKey++, kind, name: '', assignee: kind === 'approval' ? 'manager' : 'admin', dueInDays: 0, category: '' };
}

export function toTemplateDraft(template: WorkflowTemplate): TemplateDraft {
  return {
    name: template.name,
    steps: template.steps.map((step) => ({
      key: nextKey++,
      kind: step.kind,
      name: step.name,
      assignee: step.assignee ?? 'admin',
      dueInDays: step.due_in_days ?? 0,
      category: step.category ?? '',
    })),
  };
}

/** The body of `PUT /workflow-templates/{kind}`: a category only where a step reserves an asset. */
export function toSaveTemplate(draft: TemplateDraft): SaveTemplate {
  return {
    name: draft.name.trim(),
    steps: draft.steps.map((step) => ({
      kind: step.kind,
      name: step.name.trim(),
      assignee: step.assignee,
      due_in_days: step.dueInDays,
      ...(step.kind === 'reserve_asset' ? { category: step.category.trim() || null } : {}),
    })),
  };
}

/** Whether the draft says something other than `template` (what saving would change). */
export function isChanged(draft: TemplateDraft, template: WorkflowTemplate): boolean {
  return JSON.stringify(toSaveTemplate(draft)) !== JSON.stringify(toSaveTemplate(toTemplateDraft(template)));
}

/** `steps` with the step at `index` moved by `by` places (kept inside the list). */
export function moveStep<T>(steps: readonly T[], index: number, by: number): T[] {
  const target = Math.max(0, Math.min(steps.length - 1, index + by));
  const moved = [...steps];
  const [step] = moved.splice(index, 1);
  if (step !== undefined) moved.splice(target, 0, step);
  return moved;
}
