import { describe, expect, it } from 'vitest';
import type { Asset } from '@/api/types';
import { runBulk } from '@/composables/useBulkRun';
import { assetFixture } from '@/testing/assets';
import { jsonResponse, mockFetch, problemResponse } from '@/testing/http';
import { bulkContext, bulkTask } from './bulk';

const asset = (n: number, version = 1): Asset => assetFixture(n, { tag: `LAP-${n}`, version });

describe('bulk actions', () => {
  it('changes status with one PATCH per asset, each with its own key and the version seen', async () => {
    const http = mockFetch({
      [`PATCH /api/v1/assets/${asset(1).id}`]: () => jsonResponse(200, { ...asset(1, 4), status: 'retired' }),
      [`PATCH /api/v1/assets/${asset(2).id}`]: () => problemResponse(409, 'version_conflict'),
    });
    const outcomes = await runBulk([asset(1, 3), asset(2, 7)], bulkTask({ kind: 'status', status: 'retired' }));

    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    const calls = http.calls.filter((c) => c.method === 'PATCH');
    expect(calls.map((c) => c.body)).toEqual([{ status: 'retired' }, { status: 'retired' }]);
    expect(calls.map((c) => c.headers.get('If-Match'))).toEqual(['"3"', '"7"']);
    const keys = calls.map((c) => c.headers.get('Idempotency-Key'));
    expect(new Set(keys).size).toBe(2);
    const failed = outcomes[1];
    expect(failed?.ok === false && failed.error.messageIn(bulkContext({ kind: 'status', status: 'retired' }))).toBe(
      'Someone else changed this asset meanwhile. Reload it to see their changes, then try again.',
    );
  });

  it('checks in with one POST per asset and explains one that was not checked out', async () => {
    const http = mockFetch({
      [`POST /api/v1/assets/${asset(1).id}/checkin`]: () => jsonResponse(200, asset(1, 2)),
      [`POST /api/v1/assets/${asset(2).id}/checkin`]: () => problemResponse(422, 'invalid_transition'),
    });
    const action = { kind: 'checkin', condition: 'good' } as const;
    const outcomes = await runBulk([asset(1), asset(2)], bulkTask(action));

    expect(http.calls.map((c) => c.body)).toEqual([
      { condition: 'good', note: null },
      { condition: 'good', note: null },
    ]);
    expect(http.calls.every((c) => /^[0-9a-f-]{36}$/.test(c.headers.get('Idempotency-Key') ?? ''))).toBe(true);
    const failed = outcomes[1];
    expect(failed?.ok === false && failed.error.messageIn(bulkContext(action))).toBe('This asset is not checked out.');
  });
});
