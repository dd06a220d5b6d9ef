/** How a status is shown: its words and the colour of its tag. */
export type Severity = 'success' | 'info' | 'warn' | 'danger' | 'secondary';

export interface Shown {
  label: string;
  severity: Severity;
}

/** How to show a status the document types as a string; an unknown one is shown as it comes. */
export function shownStatus<S extends string>(table: Readonly<Record<S, Shown>>, status: string): Shown {
  return status in table ? table[status as S] : { label: status, severity: 'secondary' };
}

/** The choices of a status filter, in the table's order. */
export function statusOptions<S extends string>(table: Readonly<Record<S, Shown>>): { value: S; label: string }[] {
  return (Object.keys(table) as S[]).map((value) => ({ value, label: table[value].label }));
}
