import type { Asset } from '@/api/types';

/** Asset `n` as `GET /assets` lists it: in stock, tag `LAP-000n`; `extra` on top. */
export function assetFixture(n: number, extra: Partial<Asset> = {}): Asset {
  return {
    id: `0190b7a4-0000-7000-8000-${String(n).padStart(12, '0')}`,
    tag: `LAP-${String(n).padStart(4, '0')}`,
    name: `Laptop ${n}`,
    serial_number: null,
    status: 'in_stock',
    category: null,
    model: null,
    location: null,
    assigned_to: null,
    purchase_date: null,
    cost: null,
    supplier: null,
    order_number: null,
    warranty_end: null,
    custom_fields: {},
    notes: null,
    device: null,
    depreciation_months: 36,
    book_value: null,
    version: 1,
    created_at: '2026-11-25T10:00:00Z',
    updated_at: '2026-11-25T10:00:00Z',
    ...extra,
  };
}
