import { describe, expect, it } from 'vitest';
import { managerUserId, onboardingFixture, stepFixture, withStep } from '@/testing/workflows';
import { currentStep, describeProgress, fresher, isOverdue, progressOf, stepDecisions } from './steps';

const admin = { userId: 'admin-1', canManage: true };
const manager = { userId: managerUserId, canManage: false };
const otherManager = { userId: 'manager-2', canManage: false };

describe('stepDecisions', () => {
  const workflow = onboardingFixture();
  const [approval, reserve] = workflow.steps;

  it('lets the assigned manager and any admin decide an active approval, nobody else', () => {
    if (!approval) throw new Error('fixture');
    expect(stepDecisions(workflow, approval, manager)).toEqual(['approve', 'reject']);
    expect(stepDecisions(workflow, approval, admin)).toEqual(['approve', 'reject']);
    expect(stepDecisions(workflow, approval, otherManager)).toEqual([]);
    expect(stepDecisions(workflow, { ...approval, assignee_user_id: null }, manager)).toEqual([]);
  });

  it('lets only admins complete a waiting task step, blocked ones included', () => {
    const blocked = { ...stepFixture(1, 'reserve_asset', 'blocked'), detail: 'No Laptop in stock' };
    expect(stepDecisions(workflow, blocked, admin)).toEqual(['complete']);
    expect(stepDecisions(workflow, blocked, manager)).toEqual([]);
    expect(stepDecisions(workflow, stepFixture(2, 'ship', 'active'), admin)).toEqual(['complete']);
  });

  it('offers nothing on a step not reached or finished, nor in a closed workflow', () => {
    if (!approval || !reserve) throw new Error('fixture');
    expect(stepDecisions(workflow, reserve, admin)).toEqual([]);
    expect(stepDecisions(workflow, { ...approval, status: 'done' }, admin)).toEqual([]);
    expect(stepDecisions({ status: 'cancelled' }, approval, admin)).toEqual([]);
  });
});

describe('a workflow at a glance', () => {
  it('names the step it waits at, and how far it got', () => {
    const approved = withStep(withStep(onboardingFixture(), 0, { status: 'done' }), 1, { status: 'done' });
    const shipping = withStep(approved, 2, { status: 'active' });
    expect(currentStep(shipping)?.name).toBe('Ship the laptop');
    expect(progressOf(shipping)).toEqual({ finished: 2, total: 4 });
    const rejected = withStep(onboardingFixture({ status: 'rejected' }), 0, { status: 'rejected', note: 'No budget' });
    expect(currentStep(rejected)?.note).toBe('No budget');
  });

  it('counts the steps finished in words, one step being "step"', () => {
    expect(describeProgress({ finished: 2, total: 4 })).toBe('2 of 4 steps finished');
    expect(describeProgress({ finished: 0, total: 1 })).toBe('0 of 1 step finished');
  });

  it('calls a waiting step overdue once its due time passed', () => {
    const step = stepFixture(2, 'ship', 'active', { due_at: '2026-11-20T17:00:00Z' });
    expect(isOverdue(step, new Date('2026-11-25T00:00:00Z'))).toBe(true);
    expect(isOverdue({ ...step, status: 'done' }, new Date('2026-11-25T00:00:00Z'))).toBe(false);
    expect(isOverdue(step, new Date('2026-11-19T00:00:00Z'))).toBe(false);
  });
});

describe('fresher', () => {
  it('keeps the copy with the higher version, whichever arrives last', () => {
    const first = onboardingFixture();
    const approved = withStep(first, 0, { status: 'done' });
    expect(fresher(approved, first)).toBe(approved);
    expect(fresher(first, approved)).toBe(approved);
    expect(fresher(undefined, first)).toBe(first);
  });
});
