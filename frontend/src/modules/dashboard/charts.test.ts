import { describe, expect, it } from 'vitest';
import type { Dashboard } from '@/api/types';
import { categorySlices, share, statusSlices } from './charts';

const dashboard = (byCategory: Dashboard['by_category']): Dashboard => ({
  total_assets: 10,
  assigned: 4,
  in_stock: 5,
  warranty_expiring_30_days: 1,
  warranty_expiring_90_days: 2,
  warranty_expired: 0,
  generated_at: '2026-11-25T12:00:00Z',
  by_status: [
    { status: 'in_stock', count: 5 },
    { status: 'assigned', count: 4 },
    { status: 'in_transit', count: 0 },
    { status: 'in_repair', count: 1 },
    { status: 'retired', count: 0 },
    { status: 'lost', count: 0 },
    { status: 'disposed', count: 0 },
  ],
  by_category: byCategory,
});

describe('dashboard charts', () => {
  it('shows the statuses that have assets, labelled and coloured', () => {
    expect(statusSlices(dashboard([]))).toEqual([
      { label: 'In stock', value: 5, color: '#22c55e' },
      { label: 'Assigned', value: 4, color: '#3b82f6' },
      { label: 'In repair', value: 1, color: '#f97316' },
    ]);
  });

  it('names the uncategorized slice and folds a long tail into "Other categories"', () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ category: { id: `c${i}`, name: `Cat ${i}` }, count: 10 - i }));
    const slices = categorySlices(dashboard([...many, { category: null, count: 3 }]), 4);
    expect(slices.map((s) => [s.label, s.value])).toEqual([
      ['Cat 0', 10],
      ['Cat 1', 9],
      ['Cat 2', 8],
      ['Other categories', 7 + 6 + 5 + 4 + 3 + 2 + 1 + 3],
    ]);
    expect(categorySlices(dashboard([{ category: null, count: 2 }]))[0]?.label).toBe('No category');
  });

  it('gives shares as whole percentages', () => {
    expect(share(4, 10)).toBe('40%');
    expect(share(1, 3)).toBe('33%');
    expect(share(0, 0)).toBe('');
  });
});
