import type { Workflow } from '@/api/types';
import type { WorkflowFilters } from './api';
import { fresher } from './steps';

/** Whether a workflow belongs in a list with `filters`. */
export function matchesFilters(workflow: Workflow, filters: WorkflowFilters): boolean {
  return (
    (filters.status === null || workflow.status === filters.status) &&
    (filters.kind === null || workflow.kind === filters.kind) &&
    (!filters.employeeId || workflow.employee.id === filters.employeeId)
  );
}

const oldestFirst = (a: Workflow, b: Workflow) => a.id.localeCompare(b.id);

/**
 * The rows of a paged workflow list (newest first) as they are now: each loaded row replaced
 * by the freshest copy seen since (`seen`, fed by events and answers).
 */
export function liveRows(items: readonly Workflow[], seen: Readonly<Record<string, Workflow>>): Workflow[] {
  return items.map((item) => fresher(seen[item.id], item));
}

/**
 * The workflows that arrived in `seen` since `before` and are new to a list showing `items`:
 * opened after its newest row (ids are time-ordered), so not an older workflow that changed;
 * an empty list has no newest row and takes any. Oldest first, so each can go on top in turn.
 */
export function openedSince(
  before: Readonly<Record<string, Workflow>>,
  seen: Readonly<Record<string, Workflow>>,
  items: readonly Workflow[],
): Workflow[] {
  const newest = items[0]?.id;
  return Object.values(seen)
    .filter((workflow) => !(workflow.id in before) && (newest === undefined || workflow.id > newest))
    .sort(oldestFirst);
}
