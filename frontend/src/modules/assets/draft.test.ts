import { describe, expect, it } from 'vitest';
import type { Asset } from '@/api/types';
import { checkDraft, draftChanges, draftFromAsset, draftToCreate, emptyDraft } from './draft';
import { canBecome, nextStatuses } from './lifecycle';

const asset: Asset = {
  id: 'a1',
  tag: 'LAP-0001',
  name: 'MacBook Pro 14',
  serial_number: 'C02',
  status: 'in_stock',
  category: { id: 'c1', name: 'Laptops' },
  model: null,
  location: null,
  assigned_to: null,
  purchase_date: '2026-01-15',
  cost: { amount: '1999.00', currency: 'USD' },
  supplier: 'Apple',
  order_number: null,
  warranty_end: null,
  custom_fields: {},
  notes: null,
  device: null,
  depreciation_months: 36,
  book_value: { amount: '1554.79', currency: 'USD' },
  version: 4,
  created_at: '2026-11-25T10:00:00Z',
  updated_at: '2026-11-25T10:00:00Z',
};

describe('draftChanges', () => {
  it('sends only the fields the user changed', () => {
    const original = draftFromAsset(asset);
    const edited = { ...original, supplier: 'Apple Store ', order_number: 'PO-9', status: 'in_repair' as const };
    expect(draftChanges(original, edited)).toEqual({ supplier: 'Apple Store', order_number: 'PO-9', status: 'in_repair' });
  });

  it('clears a field with null, and sends cost whole', () => {
    const original = draftFromAsset(asset);
    expect(draftChanges(original, { ...original, category_id: null, serial_number: '  ' })).toEqual({
      category_id: null,
      serial_number: null,
    });
    expect(draftChanges(original, { ...original, cost_currency: 'eur' })).toEqual({
      cost: { amount: '1999.00', currency: 'EUR' },
    });
    expect(draftChanges(original, { ...original, cost_amount: '' })).toEqual({ cost: null });
  });

  it('sends nothing when nothing changed, and never clears the tag', () => {
    const original = draftFromAsset(asset);
    expect(draftChanges(original, { ...original })).toEqual({});
    expect(draftChanges(original, { ...original, tag: '' })).toEqual({});
  });
});

describe('checkDraft / draftToCreate', () => {
  it('requires a name and a well-formed cost', () => {
    expect(Object.keys(checkDraft(emptyDraft()))).toEqual(['name']);
    expect(Object.keys(checkDraft({ ...emptyDraft(), name: 'X', cost_amount: '12,50' }))).toEqual(['cost']);
    expect(Object.keys(checkDraft({ ...emptyDraft(), name: 'X', cost_amount: '12.50', cost_currency: 'EURO' }))).toEqual(['cost']);
    expect(checkDraft({ ...emptyDraft(), name: 'X', cost_amount: '12.50' })).toEqual({});
  });

  it('leaves an empty tag to the server', () => {
    expect(draftToCreate({ ...emptyDraft(), name: ' Dock ' })).toMatchObject({ name: 'Dock', tag: null, cost: null });
  });
});

describe('lifecycle', () => {
  it('offers only the backend’s transitions, never assigned', () => {
    expect(nextStatuses('in_stock')).toEqual(['in_transit', 'in_repair', 'retired', 'lost']);
    expect(nextStatuses('assigned')).toEqual(['lost']);
    expect(nextStatuses('disposed')).toEqual([]);
    expect(canBecome('in_repair', 'in_transit')).toBe(false);
    expect(canBecome('retired', 'retired')).toBe(true);
    for (const from of ['in_stock', 'in_transit', 'in_repair', 'retired', 'lost'] as const) {
      expect(canBecome(from, 'assigned')).toBe(false);
    }
  });
});
