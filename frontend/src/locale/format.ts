import type { Money } from '@/api/types';

/** Display formatting in the browser's locale. Values on the wire stay as the API sends them. */
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** `YYYY-MM-DD` (a calendar date, no time zone) for display. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const [year, month, day] = value.split('-').map(Number);
  if (!year || !month || !day) return value;
  return dateFormat.format(new Date(year, month - 1, day));
}

/** An RFC 3339 timestamp for display in local time. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
}

/** Money for display; the decimal string is only converted for formatting. */
export function formatMoney(value: Money | null | undefined): string {
  if (!value) return '—';
  const amount = Number(value.amount);
  if (!Number.isFinite(amount)) return `${value.amount} ${value.currency}`;
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: value.currency }).format(amount);
  } catch {
    return `${value.amount} ${value.currency}`;
  }
}

/** A local calendar day as `YYYY-MM-DD` (what date pickers give back as a `Date`). */
export function toIsoDate(date: Date | null | undefined): string | null {
  if (!date) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The local calendar day of an RFC 3339 timestamp, for display. */
export function formatDay(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const relativeUnits: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/**
 * How far an RFC 3339 timestamp is from `now`, in the largest whole unit (negative: past):
 * `{value: -3, unit: 'day'}`. Under a minute is `{value: 0, unit: 'minute'}`.
 */
export function relativeTime(value: string, now: number = Date.now()): { value: number; unit: Intl.RelativeTimeFormatUnit } | null {
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  const diff = at - now;
  for (const [unit, ms] of relativeUnits) {
    if (Math.abs(diff) >= ms) return { value: Math.trunc(diff / ms), unit };
  }
  return { value: 0, unit: 'minute' };
}

/** "3 days ago", "in 2 hours", "this minute", in the browser's language. */
export function formatRelative(value: string | null | undefined, now: number = Date.now()): string {
  if (!value) return '—';
  const relative = relativeTime(value, now);
  return relative ? relativeFormat.format(relative.value, relative.unit) : value;
}
