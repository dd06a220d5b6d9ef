import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '@/api/errors';
import { deferred, freshPinia, jsonResponse, mockFetch, problemResponse } from '@/testing/http';
import { approvalOf, onboardingFixture, onboardingTemplateFixture, withStep } from '@/testing/workflows';
import { useApprovalsStore } from './approvals';
import { useWorkflowsStore } from './store';

const workflow = onboardingFixture();
const url = `/api/v1/workflows/${workflow.id}`;
const approval = approvalOf(workflow);
const approveUrl = `${url}/steps/${approval.step.id}/approve`;
const approved = withStep(withStep(workflow, 0, { status: 'done' }), 1, { status: 'done', detail: 'Reserved LAP-1' });

beforeEach(() => {
  freshPinia();
});

describe('workflows store', () => {
  it('keeps the freshest copy of a workflow, from answers and events alike', async () => {
    mockFetch({ [`GET ${url}`]: () => jsonResponse(200, workflow) });
    const store = useWorkflowsStore();
    store.receive('workflow_updated', { workflow: approved });
    // An answer that crossed the event (older version) does not undo it.
    await store.load(workflow.id);
    expect(store.byId(workflow.id)?.version).toBe(approved.version);
    store.receive('workflow_opened', { workflow: onboardingFixture({ id: 'w2' }) });
    expect(Object.keys(store.seen)).toHaveLength(2);
  });

  it('acts on a step with its note and key, and keeps the answer', async () => {
    const http = mockFetch({ [`POST ${approveUrl}`]: () => jsonResponse(200, approved) });
    const store = useWorkflowsStore();
    const answer = await store.act(workflow.id, approval.step.id, 'approve', { note: 'Go ahead' }, 'key-1');
    expect(answer.steps[1]?.detail).toBe('Reserved LAP-1');
    expect(http.callsTo(`POST ${approveUrl}`)[0]?.body).toEqual({ note: 'Go ahead' });
    expect(http.callsTo(`POST ${approveUrl}`)[0]?.headers.get('Idempotency-Key')).toBe('key-1');
    expect(store.byId(workflow.id)).toEqual(approved);
  });

  it('reloads the workflow when someone else acted first, and says so', async () => {
    const rejected = withStep(workflow, 0, { status: 'rejected', note: 'No budget' });
    const http = mockFetch({
      [`POST ${approveUrl}`]: () => problemResponse(409, 'step_not_active'),
      [`GET ${url}`]: () => jsonResponse(200, { ...rejected, status: 'rejected' }),
    });
    const store = useWorkflowsStore();
    const failure = await store.act(workflow.id, approval.step.id, 'approve', { note: null }, 'key-2').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).messageIn('workflow.approve')).toContain('Someone else already acted');
    expect(http.callsTo(`GET ${url}`)).toHaveLength(1);
    expect(store.byId(workflow.id)?.status).toBe('rejected');
  });

  it('loads the templates, keeps a saved one and follows one saved elsewhere', async () => {
    const saved = onboardingTemplateFixture({ version: 1, name: 'Onboarding (EU)' });
    mockFetch({
      'GET /api/v1/workflow-templates': () =>
        jsonResponse(200, { data: [onboardingTemplateFixture(), { ...onboardingTemplateFixture(), kind: 'offboarding' }], next_cursor: null }),
      'PUT /api/v1/workflow-templates/onboarding': () => jsonResponse(200, saved),
    });
    const store = useWorkflowsStore();
    await store.loadTemplates();
    await store.saveTemplate('onboarding', { name: saved.name, steps: saved.steps });
    expect(store.template('onboarding')?.name).toBe('Onboarding (EU)');
    expect(store.templates.map((t) => t.kind)).toEqual(['onboarding', 'offboarding']);
    store.receive('template_updated', { template: { ...saved, version: 2, name: 'Onboarding v2' } });
    store.receive('template_updated', { template: saved });
    expect(store.template('onboarding')?.name).toBe('Onboarding v2');
  });

  it('forgets everything on reset', () => {
    const store = useWorkflowsStore();
    store.receive('workflow_opened', { workflow });
    store.filters.status = null;
    store.$reset();
    expect(store.seen).toEqual({});
    expect(store.filters.status).toBe('open');
  });
});

describe('approvals store', () => {
  it('folds loads asked for while one runs into one more load', async () => {
    const first = deferred<Response>();
    let calls = 0;
    mockFetch({
      'GET /api/v1/approvals': () => (++calls === 1 ? first.promise : jsonResponse(200, { data: [approval], next_cursor: null })),
    });
    const store = useApprovalsStore();
    const loading = store.load();
    void store.load();
    void store.load();
    first.resolve(jsonResponse(200, { data: [], next_cursor: null }));
    await loading;
    expect(calls).toBe(2);
    expect(store.count).toBe(1);
  });

  it('takes a decided approval out of the inbox', async () => {
    const http = mockFetch({ [`POST ${url}/steps/${approval.step.id}/reject`]: () => jsonResponse(200, approved) });
    const store = useApprovalsStore();
    store.items = [approval];
    await store.decide(approval, 'reject', 'No budget this quarter', 'key-3');
    expect(http.calls[0]?.body).toEqual({ note: 'No budget this quarter' });
    expect(store.count).toBe(0);
  });

  it('drops an approval someone else decided first, and reloads the inbox', async () => {
    const http = mockFetch({
      [`POST ${approveUrl}`]: () => problemResponse(409, 'step_not_active'),
      [`GET ${url}`]: () => jsonResponse(200, approved),
      'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
    });
    const store = useApprovalsStore();
    store.items = [approval];
    await expect(store.decide(approval, 'approve', null, 'key-4')).rejects.toMatchObject({ code: 'step_not_active' });
    expect(store.count).toBe(0);
    await expect.poll(() => http.callsTo('GET /api/v1/approvals').length).toBe(1);
  });

  it('drops an answer that arrives after the session ended', async () => {
    const answer = deferred<Response>();
    mockFetch({ 'GET /api/v1/approvals': () => answer.promise });
    const store = useApprovalsStore();
    const loading = store.load();
    store.$reset();
    answer.resolve(jsonResponse(200, { data: [approval], next_cursor: null }));
    await loading;
    expect(store.count).toBe(0);
    expect(store.loaded).toBe(false);
  });
});
