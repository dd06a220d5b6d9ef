import { formatDate, formatDateTime, formatMoney } from '@/locale/format';
import { assetFieldLabels } from '@/modules/assets/fields';
import { showValue, type FieldChange } from '@/modules/assets/history';
import { assetStatusLabels } from '@/modules/assets/status';
import { categoryKind, departmentKind, locationKind, modelKind, type CatalogField } from '@/modules/catalog/kinds';
import { employeeFieldLabels } from '@/modules/employees/fields';
import { employeeStatusLabels } from '@/modules/employees/status';
import { roleLabels, userStatusLabels } from '@/modules/settings/roles';

/** How the values of a field are written: a calendar date, a moment, or words for codes. */
type FieldKind = 'date' | 'moment' | Readonly<Record<string, string>>;

/** How one type of record's changes read: its fields' labels and how their values are written. */
interface RecordVocabulary {
  labels: Readonly<Record<string, string>>;
  kinds?: Readonly<Record<string, FieldKind>>;
}

const catalogLabels = (fields: readonly CatalogField[]): Record<string, string> =>
  Object.fromEntries(fields.map((field) => [field.key, field.label]));

/**
 * Each type of record the audit log names (`entity_type`), with the labels its screens
 * already use: the forms' field labels, the status tags' words, the roles' names.
 */
const vocabularies: Readonly<Record<string, RecordVocabulary>> = {
  asset: {
    labels: assetFieldLabels,
    kinds: { status: assetStatusLabels, purchase_date: 'date', warranty_end: 'date', due_at: 'moment' },
  },
  employee: {
    labels: employeeFieldLabels,
    kinds: { status: employeeStatusLabels, start_date: 'date', end_date: 'date' },
  },
  category: { labels: catalogLabels(categoryKind.fields) },
  model: { labels: catalogLabels(modelKind.fields) },
  location: { labels: catalogLabels(locationKind.fields) },
  department: { labels: catalogLabels(departmentKind.fields) },
  user: {
    labels: { name: 'Name', email: 'Email', role: 'Role', status: 'Status' },
    kinds: { role: roleLabels, status: userStatusLabels },
  },
  api_token: { labels: { name: 'Name', role: 'Role', expires_at: 'Expires' }, kinds: { role: roleLabels, expires_at: 'moment' } },
  tenant: {
    labels: {
      name: 'Organization name',
      asset_tag_prefix: 'Asset tag prefix',
      mdm_creates_assets: 'Create assets for unknown devices from the MDM',
    },
  },
};

/** A field's name as people read it when no screen names it: `tag_prefix` → `Tag prefix`, `category_id` → `Category`. */
function humanized(field: string): string {
  const words = field.replace(/_id$/, '').replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The label of `field` of a record of `entityType`, as the rest of the app spells it ("Serial number"). */
export function changeFieldLabel(entityType: string, field: string): string {
  return vocabularies[entityType]?.labels[field] ?? humanized(field);
}

/** The name of a record an id points to (a category, a location…), when known. */
export type NameOf = (id: string) => string | undefined;

function isMoney(value: unknown): value is { amount: string; currency: string } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.amount === 'string' && typeof record.currency === 'string';
}

/**
 * A value of `field` as people read it: a status by its label ("In stock", not `in_stock`),
 * a date or moment in the browser's locale, money formatted, a yes/no as words, the id of a
 * catalog record by its name (`nameOf`); anything else as `showValue` writes it.
 */
export function changeValue(entityType: string, field: string, value: unknown, nameOf: NameOf = () => undefined): string {
  if (value === null || value === undefined || value === '') return showValue(value);
  const kind = vocabularies[entityType]?.kinds?.[field];
  if (typeof value === 'string') {
    if (kind === 'date') return formatDate(value);
    if (kind === 'moment') return formatDateTime(value);
    if (typeof kind === 'object') return kind[value] ?? value;
    return nameOf(value) ?? value;
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (isMoney(value)) return formatMoney(value);
  return showValue(value);
}

/** One line of a change: "Status: In stock → Assigned". */
export interface ChangeLine {
  field: string;
  label: string;
  from: string;
  to: string;
}

/** A recorded change of a record of `entityType`, in words. */
export function describeChange(entityType: string, change: FieldChange, nameOf?: NameOf): ChangeLine {
  return {
    field: change.field,
    label: changeFieldLabel(entityType, change.field),
    from: changeValue(entityType, change.field, change.from, nameOf),
    to: changeValue(entityType, change.field, change.to, nameOf),
  };
}
