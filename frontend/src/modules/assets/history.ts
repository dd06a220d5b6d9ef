import type { HistoryEntry } from '@/api/types';
import { checkinConditionLabels } from './status';

/** A field's change in a history entry. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** A history entry as the timeline shows it. */
export interface HistoryItem {
  id: string;
  at: string;
  title: string;
  actor: string | null;
  /** Context the event carries besides field changes (note, condition). */
  notes: string[];
  changes: FieldChange[];
  icon: string;
}

const actionTitles: Readonly<Record<string, string>> = {
  'asset.created': 'Created',
  'asset.updated': 'Updated',
  'asset.checked_out': 'Checked out',
  'asset.checked_in': 'Checked in',
  'asset.deleted': 'Deleted',
};

const actionIcons: Readonly<Record<string, string>> = {
  'asset.created': 'pi pi-plus',
  'asset.updated': 'pi pi-pencil',
  'asset.checked_out': 'pi pi-sign-out',
  'asset.checked_in': 'pi pi-sign-in',
  'asset.deleted': 'pi pi-trash',
};

/** Internal fields whose change another line already tells (e.g. the holder on check-out). */
const hiddenFields = new Set(['assigned_employee_id', 'version', 'updated_at']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const conditionLabel = (condition: string): string =>
  condition in checkinConditionLabels
    ? checkinConditionLabels[condition as keyof typeof checkinConditionLabels]
    : condition.replace(/_/g, ' ');

function humanize(action: string): string {
  const last = action.split('.').pop() ?? action;
  const words = last.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Reads an audit event about an asset. `changes` is `{field: {from, to}}`, and check-out and
 * check-in add context entries (`employee: {id, name}`, `condition`, `note`); anything else
 * unexpected is skipped rather than shown raw.
 */
export function describeHistoryEntry(entry: HistoryEntry): HistoryItem {
  const raw: unknown = entry.changes;
  const changes: FieldChange[] = [];
  const notes: string[] = [];
  let employee: string | null = null;

  if (isRecord(raw)) {
    for (const [field, value] of Object.entries(raw)) {
      if (field === 'employee' && isRecord(value) && typeof value.name === 'string') employee = value.name;
      else if (field === 'condition' && typeof value === 'string') notes.push(`Condition: ${conditionLabel(value)}`);
      else if (field === 'note' && typeof value === 'string') notes.push(`Note: ${value}`);
      else if (isRecord(value) && 'from' in value && 'to' in value && !hiddenFields.has(field)) {
        // A change that reads the same both ways (e.g. no custom fields → `{}`) tells nothing.
        if (showValue(value.from) !== showValue(value.to)) changes.push({ field, from: value.from, to: value.to });
      }
    }
  }

  let title = actionTitles[entry.action] ?? humanize(entry.action);
  if (entry.action === 'asset.checked_out' && employee) title = `Checked out to ${employee}`;

  return {
    id: entry.id,
    at: entry.occurred_at,
    title,
    actor: entry.actor.name ?? (entry.actor.type === 'system' ? 'System' : null),
    notes,
    changes,
    icon: actionIcons[entry.action] ?? 'pi pi-circle',
  };
}

/** A changed value for display. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (isRecord(value)) {
    if (Object.keys(value).length === 0) return '—';
    if (typeof value.name === 'string') return value.name;
    if (typeof value.amount === 'string' && typeof value.currency === 'string') return `${value.amount} ${value.currency}`;
    return JSON.stringify(value);
  }
  return String(value);
}
