import { describe, expect, it } from 'vitest';
import { assetFixture } from '@/testing/assets';
import type { AssetFilters } from './api';
import { matchesAssetFilters } from './list';

const all: AssetFilters = { status: null, q: '', sort: '-created_at', categoryId: null, locationId: null };
const laptops = { id: 'c-laptops', name: 'Laptops' };
const berlin = { id: 'l-berlin', name: 'Berlin' };
const asset = assetFixture(1, { status: 'in_stock', category: laptops, location: berlin });

describe('matchesAssetFilters', () => {
  it('decides status, category and location here', () => {
    expect(matchesAssetFilters(asset, all)).toBe(true);
    expect(matchesAssetFilters(asset, { ...all, status: 'in_stock', categoryId: laptops.id, locationId: berlin.id })).toBe(true);
    expect(matchesAssetFilters(asset, { ...all, status: 'retired' })).toBe(false);
    expect(matchesAssetFilters(asset, { ...all, categoryId: 'c-phones' })).toBe(false);
    expect(matchesAssetFilters(assetFixture(2), { ...all, locationId: berlin.id })).toBe(false);
  });

  it('leaves a search to the server, unless another filter already rules the asset out', () => {
    expect(matchesAssetFilters(asset, { ...all, q: 'laptop' })).toBeNull();
    expect(matchesAssetFilters(asset, { ...all, q: '  ' })).toBe(true);
    expect(matchesAssetFilters(asset, { ...all, q: 'laptop', status: 'lost' })).toBe(false);
  });
});
