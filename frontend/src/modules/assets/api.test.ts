import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch } from '@/testing/http';
import { createAssetOnce, deleteAsset, listAllAssets, updateAsset } from './api';

const asset = { id: 'a1', tag: 'LAP-1', name: 'Laptop', status: 'in_stock', custom_fields: {}, version: 1 };

describe('assets api', () => {
  it('tells a created asset from one the server only replayed', async () => {
    let replay = false;
    const http = mockFetch({
      'POST /api/v1/assets': () => jsonResponse(201, asset, replay ? { 'Idempotent-Replayed': 'true' } : {}),
    });
    expect((await createAssetOnce({ name: 'Laptop' }, 'key-1')).replayed).toBe(false);
    replay = true;
    expect((await createAssetOnce({ name: 'Laptop' }, 'key-1')).replayed).toBe(true);
    expect(http.calls.map((c) => c.headers.get('Idempotency-Key'))).toEqual(['key-1', 'key-1']);
  });

  it('guards updates and deletes with the version seen', async () => {
    const http = mockFetch({
      'PATCH /api/v1/assets/a1': () => jsonResponse(200, { ...asset, version: 6 }),
      'DELETE /api/v1/assets/a1': () => new Response(null, { status: 204 }),
    });
    await updateAsset('a1', { notes: 'hi' }, 5);
    await deleteAsset('a1', 6);
    expect(http.calls.map((c) => [c.method, c.headers.get('If-Match')])).toEqual([
      ['PATCH', '"5"'],
      ['DELETE', '"6"'],
    ]);
  });

  it('walks every page of the current filters for an export', async () => {
    const http = mockFetch({
      'GET /api/v1/assets': (call) =>
        call.query.get('cursor') === null
          ? jsonResponse(200, { data: [asset, asset], next_cursor: 'p2' })
          : jsonResponse(200, { data: [asset], next_cursor: null }),
    });
    const progress: number[] = [];
    const all = await listAllAssets(
      { status: 'assigned', q: 'mac', sort: 'tag', categoryId: 'c1' },
      { onProgress: (n) => progress.push(n) },
    );
    expect(all).toHaveLength(3);
    expect(progress).toEqual([2, 3]);
    expect(http.calls.map((c) => c.query.get('limit'))).toEqual(['500', '500']);
    expect(http.calls[1]?.query.get('cursor')).toBe('p2');
    expect(http.calls.every((c) => c.query.get('status') === 'assigned' && c.query.get('category_id') === 'c1')).toBe(true);
  });
});
