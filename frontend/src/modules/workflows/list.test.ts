import { describe, expect, it } from 'vitest';
import type { Workflow } from '@/api/types';
import { placeArrival } from '@/composables/useLiveArrivals';
import { onboardingFixture, withStep } from '@/testing/workflows';
import { liveRows, matchesFilters, openedSince } from './list';

const at = (n: number, extra: Partial<Workflow> = {}) =>
  onboardingFixture({ id: `0190b7a4-0000-7000-8000-00000000060${n}`, ...extra });
const open = { status: 'open', kind: null } as const;
const byId = (...workflows: Workflow[]) => Object.fromEntries(workflows.map((w) => [w.id, w]));
const last = (workflows: Workflow[]) => workflows.map((w) => w.id.slice(-1));

describe('liveRows', () => {
  it('shows each loaded workflow in its freshest copy', () => {
    const older = at(1);
    const changed = withStep(older, 0, { status: 'done' });
    expect(liveRows([older], byId(changed))[0]?.steps[0]?.status).toBe('done');
    expect(liveRows([changed], byId(older))[0]?.steps[0]?.status).toBe('done');
  });
});

describe('openedSince', () => {
  it('takes the workflows opened since the list was loaded, oldest first, and not older ones that changed', () => {
    const loaded = [at(3), at(2)];
    const seen = byId(at(5), at(4, { kind: 'offboarding' }), at(1), at(6, { status: 'completed' }));
    expect(last(openedSince({}, seen, loaded))).toEqual(['4', '5', '6']);
    // Only what arrived since the last look.
    expect(last(openedSince(byId(at(4), at(5)), seen, loaded))).toEqual(['6']);
  });

  it('gives an empty list whatever arrives', () => {
    expect(openedSince({}, byId(at(1)), []).map((w) => w.id)).toEqual([at(1).id]);
  });

  it('puts on top those that match the filters, and announces the others', () => {
    const seen = byId(at(5), at(4, { kind: 'offboarding' }), at(6, { status: 'completed' }));
    const where = (filters: Parameters<typeof matchesFilters>[1]) =>
      openedSince({}, seen, [at(3)]).map((w) =>
        placeArrival({ newestFirst: true, firstPage: true, matches: matchesFilters(w, filters) }),
      );
    expect(where(open)).toEqual(['insert', 'insert', 'notice']);
    expect(where({ status: null, kind: 'onboarding' })).toEqual(['notice', 'insert', 'insert']);
    expect(where({ ...open, employeeId: 'someone-else' })).toEqual(['notice', 'notice', 'notice']);
  });
});
