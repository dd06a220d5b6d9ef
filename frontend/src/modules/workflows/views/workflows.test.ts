/**
 * The workflow screens in the whole SPA (happy-dom), with `fetch` mocked and a fake Phoenix
 * server pushing the `workflows:{tenant_id}` events.
 */
import { describe, expect, it } from 'vitest';
import type { Role, Workflow } from '@/api/types';
import { useWorkflowsStore } from '@/modules/workflows/store';
import { button, eventually, signedInApp, type } from '@/testing/app';
import { assetFixture } from '@/testing/assets';
import { jsonResponse, mockFetch, problemResponse, tokenBody, type Handler } from '@/testing/http';
import {
  approvalOf,
  hireId,
  managerUserId,
  onboardingFixture,
  onboardingTemplateFixture,
  stepFixture,
  withStep,
} from '@/testing/workflows';

const tokens = tokenBody('access-1', 'refresh-1');
const topic = `workflows:${tokens.tenant.id}`;
const workflow = onboardingFixture();
const url = `/api/v1/workflows/${workflow.id}`;
const stepUrl = (position: number, decision: string) => `${url}/steps/${workflow.steps[position]?.id}/${decision}`;
const laptop = assetFixture(42, {
  id: '0190b7a4-0000-7000-8000-0000000007a1',
  name: 'MacBook Air',
  category: { id: '0190b7a4-0000-7000-8000-0000000007c1', name: 'Laptop' },
});
/** The manager approved; the laptop was reserved; shipping waits. */
const approved = withStep(
  withStep(withStep(workflow, 0, { status: 'done', decided_by: managerUserId, completed_at: '2026-11-25T11:00:00Z' }), 1, {
    status: 'done',
    asset_id: laptop.id,
    detail: 'Reserved LAP-0042',
    completed_at: '2026-11-25T11:00:00Z',
  }),
  2,
  { status: 'active' },
);

function backend(role: Role, extra: Record<string, Handler> = {}): Record<string, Handler> {
  const userId = role === 'manager' ? managerUserId : tokens.user.id;
  return {
    'GET /api/v1/me': () => jsonResponse(200, { user: { ...tokens.user, id: userId, role }, tenant: tokens.tenant }),
    'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/workflows': () => jsonResponse(200, { data: [workflow], next_cursor: null }),
    [`GET ${url}`]: () => jsonResponse(200, workflow),
    'GET /api/v1/users': () =>
      jsonResponse(200, { data: [{ ...tokens.user, id: managerUserId, name: 'Mia Manager', role: 'manager' }], next_cursor: null }),
    [`GET /api/v1/assets/${laptop.id}`]: () => jsonResponse(200, laptop),
    'GET /api/v1/assets': () => jsonResponse(200, { data: [laptop], next_cursor: null }),
    ...extra,
  };
}

const { server, open } = signedInApp();

const stepItem = (root: Element, name: string) => root.querySelector(`[data-testid="workflow-step"][aria-label="${name}"]`);
const dialog = () => document.querySelector('[role="dialog"]');
const dialogButton = (label: string) =>
  [...(dialog()?.querySelectorAll('button') ?? [])].find((candidate) => candidate.textContent?.trim() === label);
const stepButton = (root: Element, name: string, label: string) =>
  [...(stepItem(root, name)?.querySelectorAll('button') ?? [])].find((candidate) => candidate.textContent?.trim() === label);
const badge = (root: Element) => root.querySelector('nav[aria-label="Main"] [data-testid="nav-badge"]')?.textContent?.trim();
const submit = (form: Element | null | undefined) => form?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
const push = (event: string, payload: { workflow: Workflow }) => server.last?.push(topic, event, payload);

describe('workflow list', () => {
  it('lists the open workflows and follows one opened and one changed elsewhere', async () => {
    const http = mockFetch(backend('admin'));
    const { root } = await open('/workflows');
    await eventually(() => expect(root.textContent).toContain('Nova Hire'));
    expect(http.callsTo('GET /api/v1/workflows')[0]?.query.get('status')).toBe('open');
    expect(root.querySelector('nav[aria-label="Main"]')?.textContent).toContain('Workflows');
    expect(root.textContent).toContain('Manager approves the equipment');

    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));
    const hire = onboardingFixture({
      id: '0190b7a4-0000-7000-8000-0000000005b2',
      employee: { id: 'e2', name: 'Otto Newman', email: 'otto@acme.test' },
    });
    push('workflow_opened', { workflow: hire });
    push('workflow_updated', { workflow: approved });
    await eventually(() => expect(root.textContent).toContain('Otto Newman'));
    const rows = [...root.querySelectorAll('[aria-labelledby="workflows-title"] tbody tr')].map((row) => row.textContent ?? '');
    expect(rows[0]).toContain('Otto Newman');
    expect(rows[1]).toContain('Ship the laptop');
    expect(rows[1]).toContain('2 of 4 steps finished');
  });

  it('announces a workflow opened elsewhere that its filters leave out', async () => {
    const http = mockFetch(backend('admin'));
    const { root } = await open('/workflows');
    await eventually(() => expect(root.textContent).toContain('Nova Hire'));
    useWorkflowsStore().filters.kind = 'offboarding';
    await eventually(() => expect(http.callsTo('GET /api/v1/workflows')).toHaveLength(2));
    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));

    const hire = onboardingFixture({
      id: '0190b7a4-0000-7000-8000-0000000005b2',
      employee: { id: 'e2', name: 'Otto Newman', email: 'otto@acme.test' },
    });
    push('workflow_opened', { workflow: hire });
    const notice = () => root.querySelector('[data-testid="live-notice"] .live-notice__body > span')?.textContent?.trim();
    await eventually(() => expect(notice()).toBe('1 new workflow was added.'));
    expect(root.textContent).not.toContain('Otto Newman');
  });
});

describe('workflow detail', () => {
  it('shows the person and the steps, and follows a decision taken elsewhere without a reload', async () => {
    const http = mockFetch(backend('admin'));
    const { root } = await open(`/workflows/${workflow.id}`);
    await eventually(() => expect(root.querySelector('h1')?.textContent).toBe('Onboarding: Nova Hire'));
    expect(root.querySelectorAll('[data-testid="workflow-step"]')).toHaveLength(4);
    await eventually(() => expect(stepItem(root, 'Manager approves the equipment')?.textContent).toMatch(/Waits for\s*Mia Manager/));
    expect(stepItem(root, 'Reserve a laptop')?.getAttribute('data-status')).toBe('pending');
    // An admin may decide any approval.
    expect(stepButton(root, 'Manager approves the equipment', 'Approve')).toBeDefined();

    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));
    push('workflow_updated', { workflow: approved });
    await eventually(() => expect(stepItem(root, 'Reserve a laptop')?.getAttribute('data-status')).toBe('done'));
    const reserve = stepItem(root, 'Reserve a laptop')?.textContent ?? '';
    expect(reserve).toContain('Reserved LAP-0042');
    await eventually(() => expect(stepItem(root, 'Reserve a laptop')?.querySelector('[data-testid="step-asset"]')?.textContent).toContain('LAP-0042'));
    expect(stepItem(root, 'Manager approves the equipment')?.textContent).toMatch(/Done by\s*Mia Manager/);
    expect(stepButton(root, 'Ship the laptop', 'Complete')).toBeDefined();
    expect(http.callsTo(`GET ${url}`)).toHaveLength(1);
  });

  it('completes a blocked reservation by naming an in-stock asset', async () => {
    const blocked = withStep(withStep(workflow, 0, { status: 'done' }), 1, {
      status: 'blocked',
      detail: 'No Laptop in stock: add one, then complete this step naming it',
    });
    const http = mockFetch(
      backend('admin', {
        [`GET ${url}`]: () => jsonResponse(200, blocked),
        [`POST ${stepUrl(1, 'complete')}`]: () => jsonResponse(200, approved),
      }),
    );
    const { root } = await open(`/workflows/${workflow.id}`);
    await eventually(() => expect(stepItem(root, 'Reserve a laptop')?.textContent).toContain('No Laptop in stock'));
    stepButton(root, 'Reserve a laptop', 'Complete')?.click();
    await eventually(() => expect(dialog()?.textContent).toContain('Asset to reserve'));

    dialogButton('Complete')?.click();
    await eventually(() => expect(dialog()?.textContent).toContain('Pick the in-stock asset to reserve.'));
    expect(http.callsTo(`POST ${stepUrl(1, 'complete')}`)).toHaveLength(0);

    type(dialog()?.querySelector('input'), 'LAP');
    await eventually(() => expect(document.querySelector('[role="option"]')?.textContent).toContain('LAP-0042'));
    expect(http.callsTo('GET /api/v1/assets').at(-1)?.query.get('status')).toBe('in_stock');
    (document.querySelector('[role="option"]') as HTMLElement).click();
    await eventually(() => expect(dialog()?.querySelector('input')?.value).toBe('LAP-0042'));
    dialogButton('Complete')?.click();
    await eventually(() => expect(http.callsTo(`POST ${stepUrl(1, 'complete')}`)).toHaveLength(1));
    expect(http.callsTo(`POST ${stepUrl(1, 'complete')}`)[0]?.body).toEqual({ note: null, asset_id: laptop.id });
    await eventually(() => expect(stepItem(root, 'Reserve a laptop')?.getAttribute('data-status')).toBe('done'));
  });

  it('says so when someone else decided first, and shows what they decided', async () => {
    const rejected = {
      ...withStep(workflow, 0, { status: 'rejected', note: 'No budget this quarter', decided_by: 'someone' }),
      status: 'rejected',
    };
    let reloaded = false;
    mockFetch(
      backend('manager', {
        [`GET ${url}`]: () => jsonResponse(200, reloaded ? rejected : workflow),
        [`POST ${stepUrl(0, 'approve')}`]: () => {
          reloaded = true;
          return problemResponse(409, 'step_not_active');
        },
      }),
    );
    const { root } = await open(`/workflows/${workflow.id}`);
    await eventually(() => expect(stepItem(root, 'Manager approves the equipment')?.textContent).toMatch(/Waits for\s*You/));
    stepButton(root, 'Manager approves the equipment', 'Approve')?.click();
    await eventually(() => expect(dialogButton('Approve')).toBeDefined());
    dialogButton('Approve')?.click();
    await eventually(() => expect(document.body.textContent).toContain('Someone else already acted on this step'));
    await eventually(() => expect(root.querySelector('[data-testid="rejection"]')?.textContent).toContain('No budget this quarter'));
    expect(root.querySelector('[data-testid="workflow-status"]')?.textContent).toBe('Rejected');
    expect(stepButton(root, 'Manager approves the equipment', 'Approve')).toBeUndefined();
  });

  it('shows a viewer the steps without any action', async () => {
    mockFetch(backend('viewer', { [`GET ${url}`]: () => jsonResponse(200, approved) }));
    const { root } = await open(`/workflows/${workflow.id}`);
    await eventually(() => expect(root.querySelectorAll('[data-testid="workflow-step"]')).toHaveLength(4));
    expect(root.querySelectorAll('[data-testid="workflow-step"] button')).toHaveLength(0);
    expect(button(root, 'Cancel workflow')).toBeUndefined();
    expect(root.querySelector('nav[aria-label="Main"]')?.textContent).not.toContain('Approvals');
  });

  it('cancels a workflow after confirmation', async () => {
    const http = mockFetch(
      backend('admin', {
        [`POST ${url}/cancel`]: () => jsonResponse(200, { ...workflow, status: 'cancelled', version: 2 }),
      }),
    );
    const { root } = await open(`/workflows/${workflow.id}`);
    await eventually(() => expect(button(root, 'Cancel workflow')).toBeDefined());
    button(root, 'Cancel workflow')?.click();
    await eventually(() => expect(document.body.textContent).toContain('Cancel the onboarding of Nova Hire?'));
    expect(http.callsTo(`POST ${url}/cancel`)).toHaveLength(0);
    const confirm = document.querySelector('[role="alertdialog"], [role="dialog"]');
    [...(confirm?.querySelectorAll('button') ?? [])].find((b) => b.textContent?.trim() === 'Cancel workflow')?.click();
    await eventually(() => expect(root.querySelector('[data-testid="workflow-status"]')?.textContent).toBe('Cancelled'));
    expect(http.callsTo(`POST ${url}/cancel`)).toHaveLength(1);
  });
});

describe('approvals inbox', () => {
  const second = onboardingFixture({
    id: '0190b7a4-0000-7000-8000-0000000005c3',
    employee: { id: 'e3', name: 'Rita Reject', email: 'rita@acme.test' },
    steps: [stepFixture(0, 'approval', 'active', { id: 'step-r', name: 'Manager approves the equipment', assignee_user_id: managerUserId })],
  });

  it('shows a manager the count in the menu, and approves and rejects inline', async () => {
    let waiting = [approvalOf(workflow), approvalOf(second)];
    const http = mockFetch(
      backend('manager', {
        'GET /api/v1/approvals': () => jsonResponse(200, { data: waiting, next_cursor: null }),
        [`POST ${stepUrl(0, 'approve')}`]: () => {
          waiting = waiting.filter((a) => a.workflow_id !== workflow.id);
          return jsonResponse(200, approved);
        },
        [`POST /api/v1/workflows/${second.id}/steps/step-r/reject`]: () => {
          waiting = [];
          return jsonResponse(200, { ...second, status: 'rejected' });
        },
      }),
    );
    const { root } = await open('/approvals');
    await eventually(() => expect(badge(root)).toBe('2 waiting'));
    await eventually(() => expect(root.textContent).toContain('Rita Reject'));

    button(root, 'Approve')?.click();
    await eventually(() => expect(dialogButton('Approve')).toBeDefined());
    type(dialog()?.querySelector('textarea'), 'Welcome aboard');
    dialogButton('Approve')?.click();
    await eventually(() => expect(root.textContent).not.toContain('Nova Hire'));
    expect(http.callsTo(`POST ${stepUrl(0, 'approve')}`)[0]?.body).toEqual({ note: 'Welcome aboard' });
    await eventually(() => expect(badge(root)).toBe('1 waiting'));

    button(root, 'Reject')?.click();
    await eventually(() => expect(dialogButton('Reject')).toBeDefined());
    dialogButton('Reject')?.click();
    await eventually(() => expect(dialog()?.textContent).toContain('Say why, so the requester knows.'));
    expect(http.callsTo(`POST /api/v1/workflows/${second.id}/steps/step-r/reject`)).toHaveLength(0);
    type(dialog()?.querySelector('textarea'), 'No budget this quarter');
    dialogButton('Reject')?.click();
    await eventually(() => expect(root.textContent).toContain('Nothing waiting for you'));
    expect(http.callsTo(`POST /api/v1/workflows/${second.id}/steps/step-r/reject`)[0]?.body).toEqual({
      note: 'No budget this quarter',
    });
    expect(badge(root)).toBeUndefined();
  });

  it('counts a new approval as soon as its workflow opens', async () => {
    let waiting: ReturnType<typeof approvalOf>[] = [];
    const http = mockFetch(backend('manager', { 'GET /api/v1/approvals': () => jsonResponse(200, { data: waiting, next_cursor: null }) }));
    const { root } = await open('/dashboard');
    await eventually(() => expect(http.callsTo('GET /api/v1/approvals')).not.toHaveLength(0));
    expect(badge(root)).toBeUndefined();
    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));
    waiting = [approvalOf(workflow)];
    push('workflow_opened', { workflow });
    await eventually(() => expect(badge(root)).toBe('1 waiting'));
  });

  it('is not offered to members, who are not asked', async () => {
    const http = mockFetch(backend('member'));
    const { root } = await open('/dashboard');
    await eventually(() => expect(root.querySelector('nav[aria-label="Main"]')?.textContent).toContain('Assets'));
    expect(root.querySelector('nav[aria-label="Main"]')?.textContent).not.toContain('Approvals');
    expect(http.callsTo('GET /api/v1/approvals')).toHaveLength(0);
    expect(server.last?.hasJoined(topic) ?? false).toBe(false);
  });
});

describe('templates', () => {
  it('puts a server error on the step field it names, and saves the reordered steps', async () => {
    let attempt = 0;
    const http = mockFetch(
      backend('admin', {
        'GET /api/v1/workflow-templates': () =>
          jsonResponse(200, {
            data: [onboardingTemplateFixture(), { ...onboardingTemplateFixture(), kind: 'offboarding', name: 'Offboarding' }],
            next_cursor: null,
          }),
        'PUT /api/v1/workflow-templates/onboarding': (call) =>
          ++attempt === 1
            ? problemResponse(422, 'validation_failed', {
                errors: [{ field: 'steps.1.category', code: 'required', message: 'the asset category to reserve from' }],
              })
            : jsonResponse(200, { ...onboardingTemplateFixture(), ...(call.body as object), version: 1 }),
      }),
    );
    const { root } = await open('/workflows/templates');
    const form = () => root.querySelector('form[aria-label="Onboarding template"]');
    const step = (n: number) => form()?.querySelector(`fieldset[aria-label="Step ${n}"]`) ?? root;
    await eventually(() => expect(form()).not.toBeNull());
    expect(form()?.querySelectorAll('fieldset')).toHaveLength(4);

    type(step(2).querySelectorAll('input')[1], '');
    const category = [...step(2).querySelectorAll('.form-field')].find((f) => f.querySelector('label')?.textContent?.includes('Category'));
    type(category?.querySelector('input'), '');
    submit(form());
    await eventually(() => expect(step(2).textContent).toContain('Name the asset category to reserve from, e.g. Laptop.'));
    expect(step(1).textContent).not.toContain('Name the asset category');

    type(category?.querySelector('input'), 'Laptop');
    await eventually(() => expect(step(2).textContent).not.toContain('Name the asset category'));
    type(step(2).querySelectorAll('input')[1], 'Reserve a laptop');
    (step(3).querySelector('[aria-label="Move step 3 up"]') as HTMLButtonElement).click();
    await eventually(() => expect(step(2).querySelector('legend')?.textContent).toBe('Step 2'));
    submit(form());
    await eventually(() => expect(http.callsTo('PUT /api/v1/workflow-templates/onboarding')).toHaveLength(2));
    const body = http.callsTo('PUT /api/v1/workflow-templates/onboarding')[1]?.body as { steps: { kind: string; category?: string }[] };
    expect(body.steps.map((s) => s.kind)).toEqual(['approval', 'ship', 'reserve_asset', 'check_out']);
    expect(body.steps[2]?.category).toBe('Laptop');
    await eventually(() => expect(form()?.textContent).toContain('Version 1'));
  });
});

describe('starting a workflow by hand', () => {
  const employee = {
    id: hireId,
    name: 'Nova Hire',
    email: 'nova@acme.test',
    employee_number: null,
    title: null,
    department: null,
    location: null,
    status: 'active',
    start_date: '2026-12-01',
    end_date: null,
    version: 1,
    created_at: '2026-11-25T10:00:00Z',
    updated_at: '2026-11-25T10:00:00Z',
    assets: [],
  };

  it("starts one from the employee's page, and explains one already open", async () => {
    let attempt = 0;
    const http = mockFetch(
      backend('admin', {
        [`GET /api/v1/employees/${hireId}`]: () => jsonResponse(200, employee),
        'GET /api/v1/workflows': () => jsonResponse(200, { data: [], next_cursor: null }),
        'GET /api/v1/workflow-templates': () => jsonResponse(200, { data: [onboardingTemplateFixture()], next_cursor: null }),
        'POST /api/v1/workflows': () =>
          ++attempt === 1 ? problemResponse(409, 'conflict') : jsonResponse(201, { ...workflow, trigger: 'manual' }),
      }),
    );
    const { root, router } = await open(`/employees/${hireId}`);
    await eventually(() => expect(root.textContent).toContain('No onboarding or offboarding yet.'));
    expect(http.callsTo('GET /api/v1/workflows')[0]?.query.get('employee_id')).toBe(hireId);
    button(root, 'Start workflow')?.click();
    await eventually(() => expect(dialog()?.textContent).toContain('Reserve a laptop'));
    dialogButton('Start')?.click();
    await eventually(() => expect(dialog()?.textContent).toContain('This person already has an open workflow of that kind.'));
    dialogButton('Start')?.click();
    await eventually(() => expect(router.currentRoute.value.name).toBe('workflow'));
    expect(http.callsTo('POST /api/v1/workflows')[1]?.body).toEqual({ employee_id: hireId, kind: 'onboarding' });
    expect(router.currentRoute.value.params.id).toBe(workflow.id);
  });
});
