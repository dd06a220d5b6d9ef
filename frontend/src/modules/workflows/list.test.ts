import { describe, expect, it } from 'vitest';
import type { Workflow } from '@/api/types';
import { onboardingFixture, withStep } from '@/testing/workflows';
import { liveRows } from './list';

const at = (n: number, extra: Partial<Workflow> = {}) =>
  onboardingFixture({ id: `0190b7a4-0000-7000-8000-00000000060${n}`, ...extra });
const open = { status: 'open', kind: null } as const;
const byId = (...workflows: Workflow[]) => Object.fromEntries(workflows.map((w) => [w.id, w]));

describe('liveRows', () => {
  it('shows each loaded workflow in its freshest copy', () => {
    const older = at(1);
    const changed = withStep(older, 0, { status: 'done' });
    expect(liveRows([older], byId(changed), open, true)[0]?.steps[0]?.status).toBe('done');
    expect(liveRows([changed], byId(older), open, true)[0]?.steps[0]?.status).toBe('done');
  });

  it('adds workflows opened since the list was loaded when they match its filters', () => {
    const loaded = [at(3), at(2)];
    const seen = byId(at(5), at(4, { kind: 'offboarding' }), at(1), at(6, { status: 'completed' }));
    expect(liveRows(loaded, seen, open, false).map((w) => w.id.slice(-1))).toEqual(['5', '4', '3', '2']);
    expect(liveRows(loaded, seen, { status: null, kind: 'onboarding' }, false).map((w) => w.id.slice(-1))).toEqual([
      '6',
      '5',
      '3',
      '2',
    ]);
  });

  it('fills an empty list only once it is known to be empty', () => {
    const seen = byId(at(1));
    expect(liveRows([], seen, open, false)).toEqual([]);
    expect(liveRows([], seen, open, true).map((w) => w.id)).toEqual([at(1).id]);
    expect(liveRows([], seen, { ...open, employeeId: 'someone-else' }, true)).toEqual([]);
  });
});
