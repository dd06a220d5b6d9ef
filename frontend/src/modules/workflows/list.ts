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

const newestFirst = (a: Workflow, b: Workflow) => b.id.localeCompare(a.id);

/**
 * The rows of a paged workflow list (newest first) as they are now: each loaded row replaced
 * by the freshest copy seen since (`seen`, fed by events and answers), and workflows opened
 * since the first page was loaded (ids are time-ordered) added on top when they match the
 * filters. `complete`: every page is loaded, so an empty list takes whatever matches.
 */
export function liveRows(
  items: readonly Workflow[],
  seen: Readonly<Record<string, Workflow>>,
  filters: WorkflowFilters,
  complete: boolean,
): Workflow[] {
  const rows = items.map((item) => fresher(seen[item.id], item));
  const newest = items[0]?.id;
  if (newest === undefined && !complete) return rows;
  const known = new Set(items.map((item) => item.id));
  const added = Object.values(seen)
    .filter((workflow) => !known.has(workflow.id) && (newest === undefined || workflow.id > newest))
    .filter((workflow) => matchesFilters(workflow, filters))
    .sort(newestFirst);
  return [...added, ...rows];
}
