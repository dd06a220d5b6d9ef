import Papa from 'papaparse';
import type { Asset } from '@/api/types';

/**
 * The columns of an asset export. The first ones are exactly the import's columns, so an
 * exported file (edited or not) can be imported again; the rest are for reading.
 */
export const exportColumns = [
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
  'category',
  'manufacturer',
  'model',
  'location',
  'assigned_to',
  'assigned_to_email',
  'created_at',
  'updated_at',
] as const;

type ExportRow = Record<(typeof exportColumns)[number], string>;

export function assetToRow(asset: Asset): ExportRow {
  return {
    tag: asset.tag,
    name: asset.name,
    serial_number: asset.serial_number ?? '',
    status: asset.status,
    purchase_date: asset.purchase_date ?? '',
    cost: asset.cost?.amount ?? '',
    currency: asset.cost?.currency ?? '',
    supplier: asset.supplier ?? '',
    order_number: asset.order_number ?? '',
    warranty_end: asset.warranty_end ?? '',
    notes: asset.notes ?? '',
    category: asset.category?.name ?? '',
    manufacturer: asset.model?.manufacturer ?? asset.manufacturer ?? '',
    model: asset.model?.name ?? '',
    location: asset.location?.name ?? '',
    assigned_to: asset.assigned_to?.name ?? '',
    assigned_to_email: asset.assigned_to?.email ?? '',
    created_at: asset.created_at,
    updated_at: asset.updated_at,
  };
}

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is prefixed with
 * `'` so opening the export cannot execute anything (CSV injection).
 */
function neutralize(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The CSV text (RFC 4180, CRLF, header row) of `assets`. */
export function assetsToCsv(assets: readonly Asset[]): string {
  const rows = assets.map((asset) => {
    const row = assetToRow(asset);
    return exportColumns.map((column) => neutralize(row[column]));
  });
  return Papa.unparse({ fields: [...exportColumns], data: rows }, { newline: '\r\n' });
}

/** Offers `text` as a file download. */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  // A BOM makes spreadsheet apps read the file as UTF-8.
  downloadBlob(filename, new Blob(['\ufeff', text], { type }));
}

/** Offers `blob` (e.g. a file the server made) as a file download named `filename`. */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
