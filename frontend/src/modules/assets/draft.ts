import { fieldMessage } from '@/api/messages';
import type { Asset, AssetStatus, CreateAsset, UpdateAsset } from '@/api/types';

/** What the asset form edits: the API's fields as the inputs hold them (text, not null). */
export interface AssetDraft {
  name: string;
  tag: string;
  serial_number: string;
  status: AssetStatus | null;
  category_id: string | null;
  model_id: string | null;
  location_id: string | null;
  purchase_date: string | null;
  cost_amount: string;
  cost_currency: string;
  supplier: string;
  order_number: string;
  warranty_end: string | null;
  notes: string;
}

/** The fields the asset form shows, as the API names them (for placing field errors). */
export const assetFormFields = [
  'name',
  'tag',
  'serial_number',
  'status',
  'category_id',
  'model_id',
  'location_id',
  'purchase_date',
  'cost',
  'supplier',
  'order_number',
  'warranty_end',
  'notes',
] as const;

export function emptyDraft(): AssetDraft {
  return {
    name: '',
    tag: '',
    serial_number: '',
    status: null,
    category_id: null,
    model_id: null,
    location_id: null,
    purchase_date: null,
    cost_amount: '',
    cost_currency: 'USD',
    supplier: '',
    order_number: '',
    warranty_end: null,
    notes: '',
  };
}

export function draftFromAsset(asset: Asset): AssetDraft {
  return {
    name: asset.name,
    tag: asset.tag,
    serial_number: asset.serial_number ?? '',
    status: asset.status,
    category_id: asset.category?.id ?? null,
    model_id: asset.model?.id ?? null,
    location_id: asset.location?.id ?? null,
    purchase_date: asset.purchase_date ?? null,
    cost_amount: asset.cost?.amount ?? '',
    cost_currency: asset.cost?.currency ?? 'USD',
    supplier: asset.supplier ?? '',
    order_number: asset.order_number ?? '',
    warranty_end: asset.warranty_end ?? null,
    notes: asset.notes ?? '',
  };
}

const text = (value: string): string | null => value.trim() || null;

/** An amount like `1299` or `1299.00`; the server checks precision and sign again. */
export const amountPattern = /^\d+(\.\d{1,2})?$/;
export const currencyPattern = /^[A-Za-z]{3}$/;

/** Client-side checks that save a round trip (field → message); the server validates everything again. */
export function checkDraft(draft: AssetDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!draft.name.trim()) errors.name = fieldMessage('name', 'required', undefined);
  const amount = draft.cost_amount.trim();
  if (amount && !amountPattern.test(amount)) errors.cost = fieldMessage('cost.amount', 'invalid_format', undefined);
  else if (amount && !currencyPattern.test(draft.cost_currency.trim())) {
    errors.cost = fieldMessage('cost.currency', 'invalid_format', undefined);
  }
  return errors;
}

function costOf(draft: AssetDraft): CreateAsset['cost'] {
  const amount = draft.cost_amount.trim();
  return amount ? { amount, currency: draft.cost_currency.trim().toUpperCase() } : null;
}

/** The body of `POST /assets` for a draft; an empty tag lets the server generate one. */
export function draftToCreate(draft: AssetDraft): CreateAsset {
  return {
    name: draft.name.trim(),
    tag: text(draft.tag),
    serial_number: text(draft.serial_number),
    status: draft.status,
    category_id: draft.category_id,
    model_id: draft.model_id,
    location_id: draft.location_id,
    purchase_date: draft.purchase_date,
    cost: costOf(draft),
    supplier: text(draft.supplier),
    order_number: text(draft.order_number),
    warranty_end: draft.warranty_end,
    notes: text(draft.notes),
  };
}

/**
 * The body of `PATCH /assets/{id}`: only the fields the user changed, so an edit never
 * overwrites (or records in the audit log) a field it did not touch. `null` clears a field.
 */
export function draftChanges(original: AssetDraft, draft: AssetDraft): UpdateAsset {
  const before = draftToCreate(original);
  const after = draftToCreate(draft);
  const changes: UpdateAsset = {};
  const keys = Object.keys(after) as (keyof CreateAsset)[];
  for (const key of keys) {
    if (JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)) {
      // The tag cannot be cleared (a tag is required once generated): leave it as it was.
      if (key === 'tag' && after.tag === null) continue;
      Object.assign(changes, { [key]: after[key] ?? null });
    }
  }
  return changes;
}
