import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, reactive } from 'vue';
import type { Asset } from '@/api/types';
import { listAssets, type AssetFilters } from '@/modules/assets/api';
import { matchesAssetFilters } from '@/modules/assets/list';
import { assetFixture } from '@/testing/assets';
import { jsonResponse, mockFetch, type RecordedCall } from '@/testing/http';
import { placeArrival, useLiveArrivals } from './useLiveArrivals';
import { usePagedList } from './usePagedList';

describe('placeArrival', () => {
  const known = { newestFirst: true, firstPage: true, matches: true } as const;

  it('inserts a new record in a newest-first list on its first page when it matches the filters', () => {
    expect(placeArrival(known)).toBe('insert');
  });

  it('announces it in any other order, under a filter it fails or only the server decides, and on a later page', () => {
    expect(placeArrival({ ...known, newestFirst: false })).toBe('notice');
    expect(placeArrival({ ...known, matches: false })).toBe('notice');
    expect(placeArrival({ ...known, matches: null })).toBe('notice');
    expect(placeArrival({ ...known, firstPage: false })).toBe('notice');
  });
});

/** Assets `first`..`first + total - 1`, newest first, in pages; the cursor is the next index. */
function pagedAssets(total: number, first = 10) {
  return (call: RecordedCall) => {
    const limit = Number(call.query.get('limit'));
    const start = Number(call.query.get('cursor') ?? '0');
    const end = Math.min(total, start + limit);
    const data = Array.from({ length: end - start }, (_, i) => assetFixture(first + total - 1 - start - i));
    return jsonResponse(200, { data, next_cursor: end < total ? String(end) : null });
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await nextTick();
  }
};

function liveAssetList(filters: AssetFilters) {
  const scope = effectScope();
  const result = scope.run(() => {
    const list = usePagedList<Asset, AssetFilters>(listAssets, { filters: () => ({ ...filters }), limit: 2 });
    const arrivals = useLiveArrivals(list, {
      newestFirst: () => filters.sort === '-created_at',
      matches: (asset) => matchesAssetFilters(asset, filters),
    });
    return { list, arrivals };
  });
  if (!result) throw new Error('no list');
  return result;
}

const tags = (rows: readonly Asset[]) => rows.map((asset) => asset.tag);

describe('useLiveArrivals', () => {
  it('puts a new asset on top of the first page, once', async () => {
    mockFetch({ 'GET /api/v1/assets': pagedAssets(3) });
    const { list, arrivals } = liveAssetList(reactive<AssetFilters>({ status: null, q: '', sort: '-created_at' }));
    await flush();
    expect(tags(list.items.value)).toEqual(['LAP-0012', 'LAP-0011']);

    expect(arrivals.receive(assetFixture(20))).toBe('insert');
    expect(arrivals.receive(assetFixture(20))).toBeNull();
    expect(tags(list.items.value)).toEqual(['LAP-0020', 'LAP-0012', 'LAP-0011']);
    expect(arrivals.waiting.value).toBe(0);
  });

  it('counts it instead on a later page, in another order or under a filter it fails', async () => {
    mockFetch({ 'GET /api/v1/assets': pagedAssets(3) });
    const filters = reactive<AssetFilters>({ status: null, q: '', sort: '-created_at' });
    const { list, arrivals } = liveAssetList(filters);
    await flush();
    await list.loadMore();
    expect(arrivals.receive(assetFixture(20))).toBe('notice');

    filters.sort = 'name';
    await flush();
    expect(arrivals.waiting.value).toBe(0); // the new first page has it, if it belongs
    expect(arrivals.receive(assetFixture(21))).toBe('notice');

    filters.sort = '-created_at';
    filters.status = 'in_repair';
    await flush();
    expect(arrivals.receive(assetFixture(22, { status: 'in_stock' }))).toBe('notice');
    expect(arrivals.receive(assetFixture(23, { status: 'in_repair' }))).toBe('insert');
    expect(arrivals.waiting.value).toBe(1);
    expect(tags(list.items.value)).not.toContain('LAP-0022');
  });

  it('announces it under a search, which only the server runs, and "Show" starts over', async () => {
    const http = mockFetch({ 'GET /api/v1/assets': pagedAssets(3) });
    const { list, arrivals } = liveAssetList(reactive<AssetFilters>({ status: null, q: 'laptop', sort: '-created_at' }));
    await flush();
    expect(arrivals.receive(assetFixture(20))).toBe('notice');
    expect(arrivals.receive(assetFixture(21))).toBe('notice');
    expect(arrivals.waiting.value).toBe(2);
    expect(tags(list.items.value)).toEqual(['LAP-0012', 'LAP-0011']);

    await arrivals.show();
    expect(arrivals.waiting.value).toBe(0);
    expect(http.callsTo('GET /api/v1/assets')).toHaveLength(2);
  });
});
