import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, reactive } from 'vue';
import { ApiError } from '@/api/errors';
import { listAssets, type AssetFilters } from '@/modules/assets/api';
import { assetFixture } from '@/testing/assets';
import { deferred, jsonResponse, mockFetch, problemResponse, type RecordedCall } from '@/testing/http';
import { usePagedList } from './usePagedList';

/** Serves assets 1..total in pages, the cursor being the next index. */
function pagedAssets(total: number) {
  return (call: RecordedCall) => {
    const limit = Number(call.query.get('limit'));
    const start = Number(call.query.get('cursor') ?? '0');
    const end = Math.min(total, start + limit);
    const data = Array.from({ length: end - start }, (_, i) => assetFixture(start + i + 1));
    return jsonResponse(200, { data, next_cursor: end < total ? String(end) : null });
  };
}

function mount<T>(setup: () => T): T {
  const scope = effectScope();
  const result = scope.run(setup);
  if (result === undefined) throw new Error('setup returned nothing');
  return result;
}

const flush = async () => {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await nextTick();
  }
};

describe('usePagedList', () => {
  it('loads the first page, then appends the next pages with next_cursor', async () => {
    const http = mockFetch({ 'GET /api/v1/assets': pagedAssets(5) });
    const filters = reactive<AssetFilters>({ status: null, q: '', sort: 'tag' });
    const list = mount(() => usePagedList(listAssets, { filters: () => ({ ...filters }), limit: 2 }));

    await flush();
    expect(list.items.value.map((a) => a.tag)).toEqual(['LAP-0001', 'LAP-0002']);
    expect(list.hasMore.value).toBe(true);

    await list.loadMore();
    await list.loadMore();
    expect(list.items.value.map((a) => a.tag)).toEqual(['LAP-0001', 'LAP-0002', 'LAP-0003', 'LAP-0004', 'LAP-0005']);
    expect(list.hasMore.value).toBe(false);

    await list.loadMore(); // past the end: no request
    const sent = http.callsTo('GET /api/v1/assets');
    expect(sent).toHaveLength(3);
    expect(sent.map((c) => c.query.get('cursor'))).toEqual([null, '2', '4']);
    expect(sent.every((c) => c.query.get('limit') === '2' && c.query.get('sort') === 'tag')).toBe(true);
  });

  it('starts over from the first page when the filters change', async () => {
    const http = mockFetch({ 'GET /api/v1/assets': pagedAssets(4) });
    const filters = reactive<AssetFilters>({ status: null, q: '', sort: '-created_at' });
    const list = mount(() => usePagedList(listAssets, { filters: () => ({ ...filters }), limit: 2 }));
    await flush();
    await list.loadMore();
    expect(list.items.value).toHaveLength(4);

    filters.status = 'assigned';
    filters.q = 'mac';
    await flush();

    const last = http.calls.at(-1);
    expect(last?.query.get('cursor')).toBeNull();
    expect(last?.query.get('status')).toBe('assigned');
    expect(last?.query.get('q')).toBe('mac');
    expect(list.items.value.map((a) => a.tag)).toEqual(['LAP-0001', 'LAP-0002']);
  });

  it('drops a late answer for filters that are no longer current', async () => {
    const slow = deferred<Response>();
    mockFetch({
      'GET /api/v1/assets': (call) =>
        call.query.get('q') === 'old'
          ? slow.promise
          : jsonResponse(200, { data: [assetFixture(42)], next_cursor: null }),
    });
    const filters = reactive<AssetFilters>({ status: null, q: 'old', sort: 'tag' });
    const list = mount(() => usePagedList(listAssets, { filters: () => ({ ...filters }) }));
    await flush();

    filters.q = 'new';
    await flush();
    slow.resolve(jsonResponse(200, { data: [assetFixture(1)], next_cursor: 'more' }));
    await flush();

    expect(list.items.value.map((a) => a.tag)).toEqual(['LAP-0042']);
    expect(list.hasMore.value).toBe(false);
    expect(list.loading.value).toBe(false);
  });

  it('exposes a failed page as an ApiError and recovers on reload', async () => {
    let fail = true;
    mockFetch({
      'GET /api/v1/assets': () =>
        fail ? problemResponse(503, 'dependency_unavailable') : jsonResponse(200, { data: [], next_cursor: null }),
    });
    const list = mount(() =>
      usePagedList(listAssets, { filters: { status: null, q: '', sort: 'tag' } satisfies AssetFilters }),
    );
    await flush();

    expect(list.error.value).toBeInstanceOf(ApiError);
    expect(list.error.value?.code).toBe('dependency_unavailable');
    expect(list.isEmpty.value).toBe(false);

    fail = false;
    await list.reload();

    expect(list.error.value).toBeNull();
    expect(list.isEmpty.value).toBe(true);
  });

  it('does not load until asked when immediate is false', async () => {
    const http = mockFetch({ 'GET /api/v1/assets': pagedAssets(1) });
    const list = mount(() =>
      usePagedList(listAssets, { filters: { status: null, q: '', sort: 'tag' } satisfies AssetFilters, immediate: false }),
    );
    await flush();
    expect(http.calls).toHaveLength(0);
    expect(list.loaded.value).toBe(false);

    await list.reload();
    expect(list.items.value).toHaveLength(1);
  });
});
