import type { AssetModel, Category, Department, Location } from '@/api/types';
import { countOf } from '@/locale/plural';
import { categoriesApi, departmentsApi, locationsApi, modelsApi } from './api';

/** A value in a catalog form. */
export type DraftValue = string | number | null;
export type Draft = Record<string, DraftValue>;

export interface CatalogField {
  /** The API's field name (so server field errors land next to it). */
  key: string;
  label: string;
  kind: 'text' | 'integer' | 'select';
  required?: boolean;
  hint?: string;
  maxlength?: number;
  /** For `select`: the choices, loaded by the section. */
  options?: () => Promise<{ value: string; label: string }[]>;
}

export interface CatalogColumn<T> {
  header: string;
  value: (row: T) => string;
  mono?: boolean;
}

/**
 * One kind of catalog record and what its API allows: every kind lists and creates;
 * `update` and `remove` only where the backend has them.
 */
export interface CatalogKind<T extends { id: string; name: string }> {
  key: string;
  title: string;
  noun: string;
  description: string;
  columns: CatalogColumn<T>[];
  fields: CatalogField[];
  toDraft: (row: T | null) => Draft;
  list: () => Promise<T[]>;
  create: (draft: Draft, idempotencyKey: string) => Promise<T>;
  update?: (id: string, draft: Draft) => Promise<T>;
  remove?: (id: string) => Promise<void>;
}

const str = (value: DraftValue | undefined): string => (value === null || value === undefined ? '' : String(value)).trim();
const optional = (value: DraftValue | undefined): string | null => str(value) || null;
const integer = (value: DraftValue | undefined): number | null => {
  const text = str(value);
  return text === '' ? null : Number(text);
};

export const categoryKind: CatalogKind<Category> = {
  key: 'categories',
  title: 'Categories',
  noun: 'category',
  description: 'Kinds of hardware (laptops, phones, monitors) and how long they depreciate.',
  columns: [
    { header: 'Name', value: (c) => c.name },
    { header: 'Depreciation', value: (c) => (c.depreciation_months ? countOf(c.depreciation_months, 'month') : '—') },
  ],
  fields: [
    { key: 'name', label: 'Name', kind: 'text', required: true, maxlength: 120 },
    { key: 'depreciation_months', label: 'Depreciation (months)', kind: 'integer', hint: 'Optional, e.g. 36.' },
  ],
  toDraft: (c) => ({ name: c?.name ?? '', depreciation_months: c?.depreciation_months ?? null }),
  list: categoriesApi.list,
  create: (d, key) => categoriesApi.create({ name: str(d.name), depreciation_months: integer(d.depreciation_months) }, key),
  update: (id, d) => categoriesApi.update(id, { name: str(d.name), depreciation_months: integer(d.depreciation_months) }),
};

export const modelKind: CatalogKind<AssetModel> = {
  key: 'models',
  title: 'Models',
  noun: 'model',
  description: 'Makes and models, so assets of the same model are grouped and searchable.',
  columns: [
    { header: 'Manufacturer', value: (m) => m.manufacturer },
    { header: 'Model', value: (m) => m.name },
    { header: 'Model number', value: (m) => m.model_number ?? '—', mono: true },
  ],
  fields: [
    { key: 'manufacturer', label: 'Manufacturer', kind: 'text', required: true },
    { key: 'name', label: 'Model name', kind: 'text', required: true },
    { key: 'model_number', label: 'Model number', kind: 'text' },
    {
      key: 'category_id',
      label: 'Category',
      kind: 'select',
      options: async () => (await categoriesApi.list()).map((c) => ({ value: c.id, label: c.name })),
    },
  ],
  toDraft: (m) => ({
    manufacturer: m?.manufacturer ?? '',
    name: m?.name ?? '',
    model_number: m?.model_number ?? '',
    category_id: m?.category_id ?? null,
  }),
  list: modelsApi.list,
  create: (d, key) =>
    modelsApi.create(
      {
        manufacturer: str(d.manufacturer),
        name: str(d.name),
        model_number: optional(d.model_number),
        category_id: optional(d.category_id),
      },
      key,
    ),
};

const locationInput = (d: Draft) => ({
  name: str(d.name),
  address: optional(d.address),
  city: optional(d.city),
  country: optional(d.country)?.toUpperCase() ?? null,
});

export const locationKind: CatalogKind<Location> = {
  key: 'locations',
  title: 'Locations',
  noun: 'location',
  description: 'Offices, warehouses and other places where assets and people are.',
  columns: [
    { header: 'Name', value: (l) => l.name },
    { header: 'City', value: (l) => l.city ?? '—' },
    { header: 'Country', value: (l) => l.country ?? '—' },
  ],
  fields: [
    { key: 'name', label: 'Name', kind: 'text', required: true },
    { key: 'address', label: 'Address', kind: 'text' },
    { key: 'city', label: 'City', kind: 'text' },
    { key: 'country', label: 'Country', kind: 'text', hint: 'Two-letter code, e.g. DE.', maxlength: 2 },
  ],
  toDraft: (l) => ({ name: l?.name ?? '', address: l?.address ?? '', city: l?.city ?? '', country: l?.country ?? '' }),
  list: locationsApi.list,
  create: (d, key) => locationsApi.create(locationInput(d), key),
  update: (id, d) => locationsApi.update(id, locationInput(d)),
  remove: locationsApi.remove,
};

export const departmentKind: CatalogKind<Department> = {
  key: 'departments',
  title: 'Departments',
  noun: 'department',
  description: 'Teams employees belong to.',
  columns: [{ header: 'Name', value: (d) => d.name }],
  fields: [{ key: 'name', label: 'Name', kind: 'text', required: true }],
  toDraft: (d) => ({ name: d?.name ?? '' }),
  list: departmentsApi.list,
  create: (d, key) => departmentsApi.create({ name: str(d.name) }, key),
  update: (id, d) => departmentsApi.update(id, { name: str(d.name) }),
  remove: departmentsApi.remove,
};
