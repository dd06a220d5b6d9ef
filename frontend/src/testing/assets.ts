import type { Asset, Discrepancy } from '@/api/types';

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

/** An open discrepancy about `assetFixture(n)`, as `GET /discrepancies` lists it; `extra` on top. */
export function discrepancyFixture(n: number, extra: Partial<Discrepancy> = {}): Discrepancy {
  const asset = assetFixture(n);
  return {
    id: `0190b7a4-0000-7000-8000-d${String(n).padStart(11, '0')}`,
    asset_id: asset.id,
    asset_tag: asset.tag,
    asset_name: asset.name,
    kind: 'assignee_mismatch',
    status: 'open',
    detail: `The MDM's user is ada.lovelace.${n}@acme.example.com, but ${asset.tag} is checked out to Grace Hopper (grace@acme.test)`,
    facts: { mdm_user_email: `ada.lovelace.${n}@acme.example.com`, assigned_email: 'grace@acme.test' },
    integration_id: '0190b7a4-0000-7000-8000-0000000001c3',
    created_at: `2026-11-25T10:00:${String(n).padStart(2, '0')}Z`,
    updated_at: `2026-11-25T10:00:${String(n).padStart(2, '0')}Z`,
    resolved_at: null,
    ...extra,
  };
}
