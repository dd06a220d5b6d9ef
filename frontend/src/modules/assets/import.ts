import { sha256 } from '@noble/hashes/sha2.js';
import Papa from 'papaparse';
import { fieldMessage } from '@/api/messages';
import type { AssetStatus, CreateAsset } from '@/api/types';
import { amountPattern, currencyPattern } from './draft';
import { creatableStatuses } from './lifecycle';

/** The columns an import understands (the first columns of an export). Only `name` is required. */
export const importColumns = [
  'tag',
  'name',
  'serial_number',
  'status',
  'purchase_date',
  'cost',
  'currency',
  'supplier',
  'order_number',
  'warranty_end',
  'notes',
] as const;
export type ImportColumn = (typeof importColumns)[number];

/** One data row of the file, mapped to the body of `POST /assets`. */
export interface ImportRow {
  /** 1-based position among the file's data rows (the header is not counted). */
  row: number;
  body: CreateAsset;
  /** Problems found before sending (field → message); such a row is not sent. */
  problems: Record<string, string>;
}

export interface ParsedImport {
  rows: ImportRow[];
  /** Header cells that are not import columns (ignored). */
  ignoredColumns: string[];
  /** True when the file has no `name` column at all. */
  missingName: boolean;
  /** Problems of the file itself (unclosed quotes, …), with their row. */
  fileErrors: { row: number | null; message: string }[];
}

/** `Serial Number`, `serial-number` and ` SERIAL_NUMBER ` all name `serial_number`. */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\ufeff/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

const isImportColumn = (name: string): name is ImportColumn => (importColumns as readonly string[]).includes(name);

/** Undoes the export's formula guard (`'=SUM` → `=SUM`) and trims. */
function cell(value: string | undefined): string {
  const trimmed = (value ?? '').trim();
  return /^'[=+\-@]/.test(trimmed) ? trimmed.slice(1) : trimmed;
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function isValidDate(value: string): boolean {
  if (!datePattern.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1));
  return date.getUTCFullYear() === y && date.getUTCMonth() + 1 === m && date.getUTCDate() === d;
}

/** Maps one record (column → text) to a create body and the problems found on the way. */
export function mapRecord(record: Partial<Record<ImportColumn, string>>, row: number): ImportRow {
  const problems: Record<string, string> = {};
  const get = (column: ImportColumn): string => cell(record[column]);
  const optional = (column: ImportColumn): string | null => get(column) || null;

  const name = get('name');
  if (!name) problems.name = fieldMessage('name', 'required', undefined);

  let status: AssetStatus | null = null;
  const rawStatus = get('status').toLowerCase().replace(/[\s-]+/g, '_');
  if (rawStatus) {
    if ((creatableStatuses as readonly string[]).includes(rawStatus)) status = rawStatus as AssetStatus;
    else if (rawStatus === 'assigned') problems.status = 'Assets become assigned only by check-out; import them in stock.';
    else problems.status = fieldMessage('status', 'invalid_choice', undefined);
  }

  let cost: CreateAsset['cost'] = null;
  const amount = get('cost').replace(/,/g, '');
  const currency = get('currency').toUpperCase();
  if (amount) {
    if (!amountPattern.test(amount)) problems.cost = fieldMessage('cost.amount', 'invalid_format', undefined);
    else if (!currencyPattern.test(currency)) problems.currency = fieldMessage('currency', 'invalid_format', undefined);
    else cost = { amount, currency };
  }

  for (const column of ['purchase_date', 'warranty_end'] as const) {
    const value = get(column);
    if (value && !isValidDate(value)) problems[column] = fieldMessage(column, 'invalid_format', undefined);
  }

  return {
    row,
    problems,
    body: {
      name,
      tag: optional('tag'),
      serial_number: optional('serial_number'),
      status,
      purchase_date: optional('purchase_date'),
      cost,
      supplier: optional('supplier'),
      order_number: optional('order_number'),
      warranty_end: optional('warranty_end'),
      notes: optional('notes'),
    },
  };
}

/** Parses a CSV file's text (header row first) into import rows. */
export function parseAssetCsv(text: string): ParsedImport {
  const parsed = Papa.parse<Record<string, string>>(text, {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: normalizeHeader,
  });
  const headers = parsed.meta.fields ?? [];
  const ignoredColumns = headers.filter((h) => h !== '' && !isImportColumn(h));
  const rows = parsed.data.map((record, index) => {
    const known: Partial<Record<ImportColumn, string>> = {};
    for (const column of importColumns) {
      const value = record[column];
      if (typeof value === 'string') known[column] = value;
    }
    return mapRecord(known, index + 1);
  });
  const fileErrors = parsed.errors
    // A short or long row still maps by its header names; only structural problems are reported.
    .filter((error) => error.type !== 'FieldMismatch')
    .map((error) => ({ row: typeof error.row === 'number' ? error.row + 1 : null, message: error.message }));
  return { rows, ignoredColumns, missingName: !headers.includes('name'), fileErrors };
}

/** The 128 bits of a digest as a UUID (version 8, RFC 9562: custom), so the server accepts it as a key. */
function digestToUuid(bytes: Uint8Array): string {
  const b = Array.from(bytes.slice(0, 16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A JSON text of `value` with object keys sorted, so equal bodies always read the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The `Idempotency-Key` of each row: derived from the tenant, the row's body and how many
 * identical rows came before it. Importing the same file again (even reordered, or after a
 * partial failure) sends the same keys, so the server replays its first answers instead of
 * creating duplicates; two identical rows in one file are still two assets.
 */
export function importKeys(bodies: readonly CreateAsset[], scope: string): string[] {
  const seen = new Map<string, number>();
  const keys: string[] = [];
  for (const body of bodies) {
    const canonical = canonicalJson(body);
    const occurrence = seen.get(canonical) ?? 0;
    seen.set(canonical, occurrence + 1);
    // SHA-256 in JS (not crypto.subtle, which plain-http origins lack): the same keys everywhere.
    const text = `assetronics-import:v1\n${scope}\n${occurrence}\n${canonical}`;
    keys.push(digestToUuid(sha256(new TextEncoder().encode(text))));
  }
  return keys;
}

/** A CSV with just the header row and one example, for people starting an import from scratch. */
export function importTemplate(): string {
  return Papa.unparse(
    {
      fields: [...importColumns],
      data: [['', 'MacBook Pro 14', 'C02XYZ123', 'in_stock', '2026-01-15', '1999.00', 'USD', 'Apple', 'PO-1042', '2029-01-15', '']],
    },
    { newline: '\r\n' },
  );
}
