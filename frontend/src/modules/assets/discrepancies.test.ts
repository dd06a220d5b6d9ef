import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '@/api/errors';
import { discrepancyFixture } from '@/testing/assets';
import { deferred, freshPinia, jsonResponse, mockFetch, problemResponse } from '@/testing/http';
import { discrepancyFacts, mergeDiscrepancy, useDiscrepanciesStore } from './discrepancies';

const first = discrepancyFixture(1);
const second = discrepancyFixture(2);
const later = '2026-11-25T11:00:00Z';

beforeEach(() => {
  freshPinia();
});

describe('mergeDiscrepancy', () => {
  it('keeps a status’ list newest first, replacing, adding and removing what changed status', () => {
    let open = mergeDiscrepancy([], first, 'open');
    open = mergeDiscrepancy(open, second, 'open');
    expect(open.map((d) => d.id)).toEqual([second.id, first.id]);
    open = mergeDiscrepancy(open, { ...first, detail: 'new facts', updated_at: later }, 'open');
    expect(open.find((d) => d.id === first.id)?.detail).toBe('new facts');
    open = mergeDiscrepancy(open, { ...second, status: 'resolved', updated_at: later }, 'open');
    expect(open.map((d) => d.id)).toEqual([first.id]);
  });

  it('ignores a snapshot older than the one held', () => {
    const dismissed = { ...first, status: 'dismissed', updated_at: later };
    expect(mergeDiscrepancy([dismissed], first, 'dismissed')).toEqual([dismissed]);
  });
});

describe('discrepancyFacts', () => {
  it('reads the emails compared, and nothing else', () => {
    expect(discrepancyFacts({ mdm_user_email: 'ada@acme.test', assigned_email: null })).toEqual({
      mdmUserEmail: 'ada@acme.test',
      assignedEmail: null,
    });
    expect(discrepancyFacts(null)).toEqual({ mdmUserEmail: null, assignedEmail: null });
    expect(discrepancyFacts({ mdm_user_email: 7 })).toEqual({ mdmUserEmail: null, assignedEmail: null });
  });
});

describe('discrepancies store', () => {
  it('loads the open ones, counts them and follows them live', async () => {
    const http = mockFetch({ 'GET /api/v1/discrepancies': () => jsonResponse(200, [first]) });
    const store = useDiscrepanciesStore();
    await store.load('open');
    expect(http.calls[0]?.query.get('status')).toBe('open');
    expect(store.count).toBe(1);
    store.receive(second);
    expect(store.count).toBe(2);
    store.receive({ ...first, status: 'resolved', resolved_at: later, updated_at: later });
    expect(store.lists.open?.map((d) => d.id)).toEqual([second.id]);
    // A list not loaded is not made up from events.
    expect(store.isLoaded('resolved')).toBe(false);
  });

  it('keeps an event that arrives while the list loads', async () => {
    const answer = deferred<Response>();
    mockFetch({ 'GET /api/v1/discrepancies': () => answer.promise });
    const store = useDiscrepanciesStore();
    const loading = store.load('open');
    await Promise.resolve();
    store.receive({ ...first, status: 'dismissed', updated_at: later });
    answer.resolve(jsonResponse(200, [first, second]));
    await loading;
    expect(store.lists.open?.map((d) => d.id)).toEqual([second.id]);
  });

  it('dismisses one, moving it to the dismissed list when that is held', async () => {
    const dismissed = { ...first, status: 'dismissed', resolved_at: later, updated_at: later };
    const http = mockFetch({
      'GET /api/v1/discrepancies': (call) => jsonResponse(200, call.query.get('status') === 'open' ? [first, second] : []),
      [`POST /api/v1/discrepancies/${first.id}/dismiss`]: () => jsonResponse(200, dismissed),
    });
    const store = useDiscrepanciesStore();
    await Promise.all([store.load('open'), store.load('dismissed')]);
    await store.dismiss(first);
    expect(http.callsTo(`POST /api/v1/discrepancies/${first.id}/dismiss`)).toHaveLength(1);
    expect(store.lists.open?.map((d) => d.id)).toEqual([second.id]);
    expect(store.lists.dismissed?.map((d) => d.id)).toEqual([first.id]);
  });

  it('reloads the open ones when the one dismissed was closed meanwhile', async () => {
    let resolvedMeanwhile = false;
    mockFetch({
      'GET /api/v1/discrepancies': () => jsonResponse(200, resolvedMeanwhile ? [second] : [first, second]),
      [`POST /api/v1/discrepancies/${first.id}/dismiss`]: () => {
        resolvedMeanwhile = true;
        return problemResponse(422, 'invalid_transition', { detail: 'the discrepancy is resolved, not open' });
      },
    });
    const store = useDiscrepanciesStore();
    await store.load('open');
    const failure = await store.dismiss(first).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).messageIn('discrepancy.dismiss')).toBe(
      'This discrepancy is no longer open: a sync resolved it or someone dismissed it.',
    );
    await expect.poll(() => store.lists.open?.map((d) => d.id)).toEqual([second.id]);
  });

  it('forgets everything on reset, and drops an answer for the session that ended', async () => {
    const answer = deferred<Response>();
    mockFetch({ 'GET /api/v1/discrepancies': () => answer.promise });
    const store = useDiscrepanciesStore();
    const loading = store.load('open');
    store.$reset();
    answer.resolve(jsonResponse(200, [first]));
    await loading;
    expect(store.lists).toEqual({});
    expect(store.count).toBe(0);
  });
});
