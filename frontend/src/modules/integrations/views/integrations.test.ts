/**
 * The integrations screens in the whole SPA (happy-dom), with `fetch` mocked and a fake
 * Phoenix server pushing the `integrations:{tenant_id}` events.
 */
import { describe, expect, it } from 'vitest';
import { button, eventually, fieldInput, fieldText, signedInApp, submitForm, type } from '@/testing/app';
import { jsonResponse, mockFetch, problemResponse, tokenBody, type Handler } from '@/testing/http';
import { deliveryFixture, integrationFixture, syncRunFixture } from '@/testing/integrations';

const tokens = tokenBody('access-1', 'refresh-1');
const topic = `integrations:${tokens.tenant.id}`;
const bamboo = integrationFixture({ name: 'BambooHR (Acme)', config: { subdomain: 'acme', base_url: 'http://127.0.0.1:7070/bamboohr' } });
const url = `/api/v1/integrations/${bamboo.id}`;

function backend(extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/v1/me': () => jsonResponse(200, { user: { ...tokens.user, role: 'admin' }, tenant: tokens.tenant }),
    'GET /api/v1/integrations': () => jsonResponse(200, { data: [bamboo], next_cursor: null }),
    [`GET ${url}`]: () => jsonResponse(200, bamboo),
    'GET /api/v1/sync-runs': () => jsonResponse(200, { data: [], next_cursor: null }),
    ...extra,
  };
}

const { server, open } = signedInApp();

describe('integrations screens', () => {
  it('lists integrations with their health and last sync, behind their own menu entry', async () => {
    mockFetch(
      backend({
        'GET /api/v1/integrations': () =>
          jsonResponse(200, {
            data: [{ ...bamboo, status: 'needs_attention', status_detail: 'BambooHR refused the API key (401)' }],
            next_cursor: null,
          }),
        'GET /api/v1/sync-runs': () =>
          jsonResponse(200, {
            data: [syncRunFixture('r1', 'succeeded', { stats: { created: 312, updated: 4, unchanged: 0, failed: 1 } })],
            next_cursor: null,
          }),
      }),
    );
    const { root } = await open('/integrations');
    await eventually(() => expect(root.textContent).toContain('BambooHR (Acme)'));
    expect(root.querySelector('nav[aria-label="Main"]')?.textContent).toContain('Integrations');
    expect(root.textContent).toContain('Needs attention');
    expect(root.textContent).toContain('BambooHR refused the API key (401)');
    expect(root.textContent).toContain('312 created · 4 updated · 1 failed');
    expect(root.textContent).toContain('Manual only');
  });

  it('connects BambooHR from its form and puts server field errors on the fields', async () => {
    let attempt = 0;
    const http = mockFetch(
      backend({
        'POST /api/v1/integrations': () =>
          ++attempt === 1
            ? problemResponse(422, 'validation_failed', {
                errors: [{ field: 'config.subdomain', code: 'invalid_format', message: 'letters, digits and dashes only' }],
              })
            : jsonResponse(201, bamboo),
      }),
    );
    const { root, router } = await open('/integrations/new');
    await eventually(() => expect(fieldInput(root, 'Company subdomain')).not.toBeNull());

    type(fieldInput(root, 'Company subdomain'), 'acme inc');
    type(fieldInput(root, 'API base URL'), 'http://127.0.0.1:7070/bamboohr');
    type(fieldInput(root, 'API key'), 'sandbox-api-key');
    expect(fieldInput(root, 'API key')?.type).toBe('password');
    submitForm(root);
    await eventually(() => expect(fieldText(root, 'Company subdomain')).toContain('Use letters, digits and dashes only'));

    type(fieldInput(root, 'Company subdomain'), 'acme');
    type(fieldInput(root, 'Webhook private key'), 'whk-secret');
    expect(fieldInput(root, 'Webhook private key')?.type).toBe('password');
    type(fieldInput(root, 'Sync schedule'), '0 */6 * * *');
    submitForm(root);
    await eventually(() => expect(router.currentRoute.value.name).toBe('integration'));
    const sent = http.callsTo('POST /api/v1/integrations');
    expect(sent[1]?.body).toEqual({
      provider: 'bamboohr',
      name: 'BambooHR',
      schedule: '0 */6 * * *',
      config: { subdomain: 'acme', base_url: 'http://127.0.0.1:7070/bamboohr' },
      credentials: { api_key: 'sandbox-api-key', webhook_private_key: 'whk-secret' },
    });
    expect(sent[1]?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('marks a provider the server reports as not available', async () => {
    mockFetch(
      backend({
        'POST /api/v1/integrations': () =>
          problemResponse(422, 'validation_failed', {
            errors: [{ field: 'provider', code: 'not_available', message: 'the hibob connector is not available yet' }],
          }),
      }),
    );
    const { root } = await open('/integrations/new?provider=hibob');
    await eventually(() => expect(fieldInput(root, 'Service user ID')).not.toBeNull());
    type(fieldInput(root, 'Service user ID'), 'svc-1');
    type(fieldInput(root, 'Service user token'), 'token');
    submitForm(root);
    await eventually(() => expect(root.textContent).toContain('This connector is not available yet.'));
    expect(root.querySelector('[role="combobox"]')?.textContent).toBe('HiBob (not available yet)');
  });

  it('tests the connection, syncs now and shows the run’s progress live, then its counts', async () => {
    const http = mockFetch(
      backend({
        [`POST ${url}/test`]: () => jsonResponse(200, { ok: true, detail: 'connected' }),
        [`POST ${url}/sync`]: () => jsonResponse(202, { sync_run_id: 'r1' }),
        'GET /api/v1/sync-runs/r1': () => jsonResponse(200, syncRunFixture('r1', 'queued')),
      }),
    );
    const { root } = await open(`/integrations/${bamboo.id}`);
    await eventually(() => expect(root.textContent).toContain('BambooHR (Acme)'));
    expect(root.textContent).toContain('http://127.0.0.1:7070/bamboohr');
    const credentials = root.querySelector('[aria-label="Credentials"]')?.textContent ?? '';
    expect(credentials).toMatch(/API key\s*set/);
    expect(credentials).toMatch(/Webhook private key\s*not set/);

    button(root, 'Test connection')?.click();
    await eventually(() => expect(root.querySelector('[data-testid="test-result"]')?.textContent).toContain('Connection works.'));

    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));
    button(root, 'Sync now')?.click();
    await eventually(() => expect(root.textContent).toContain('Queued — waiting for a worker'));
    expect(http.callsTo(`POST ${url}/sync`)).toHaveLength(1);
    expect(button(root, 'Sync now')?.disabled).toBe(true);

    server.last?.push(topic, 'sync_started', { integration_id: bamboo.id });
    await eventually(() => expect(root.textContent).toContain('Fetching people from BambooHR'));
    server.last?.push(topic, 'sync_progress', {
      integration_id: bamboo.id,
      processed: 500,
      total: 1200,
      stats: { created: 500, updated: 0, unchanged: 0, failed: 0 },
    });
    await eventually(() => expect(root.textContent).toContain('Syncing: 500 of 1200 processed'));
    expect(root.querySelector('[data-testid="sync-progress"] [role="progressbar"]')?.getAttribute('aria-valuenow')).toBe('42');

    const stats = { created: 1200, updated: 0, unchanged: 0, failed: 0 };
    server.last?.push(topic, 'sync_finished', { integration_id: bamboo.id, status: 'succeeded', stats });
    server.last?.push(topic, 'sync_run_updated', {
      sync_run: syncRunFixture('r1', 'succeeded', {
        stats,
        started_at: '2026-11-25T10:00:01Z',
        finished_at: '2026-11-25T10:00:05Z',
      }),
    });
    await eventually(() => expect(root.textContent).toContain('Sync succeeded: 1200 processed'));
    const runs = root.querySelector('[aria-labelledby="sync-runs-title"]')?.textContent ?? '';
    expect(runs).toContain('Succeeded');
    expect(runs).toContain('1200');
    expect(runs).toContain('4 s');
    expect(button(root, 'Sync now')?.disabled).toBe(false);
  });

  it('shows the schedule’s next run, a run waiting for its retry and one given up', async () => {
    mockFetch(
      backend({
        [`GET ${url}`]: () => jsonResponse(200, { ...bamboo, schedule: '0 */6 * * *', next_sync_at: '2026-11-25T18:00:00Z' }),
        'GET /api/v1/sync-runs': () =>
          jsonResponse(200, {
            data: [
              syncRunFixture('r2', 'queued', { attempts: 2, next_attempt_at: '2026-11-25T10:07:00Z', error: 'BambooHR answered 503' }),
              syncRunFixture('r1', 'failed', { attempts: 5, dead: true, error: 'BambooHR answered 503' }),
            ],
            next_cursor: null,
          }),
      }),
    );
    const { root } = await open(`/integrations/${bamboo.id}`);
    await eventually(() => expect(root.querySelectorAll('[data-testid="run-retry"]')).toHaveLength(2));
    const [retrying, dead] = [...root.querySelectorAll('[data-testid="run-retry"]')].map((cell) => cell.textContent?.trim());
    expect(retrying).toMatch(/^Retrying at .*2026/);
    expect(dead).toBe('Gave up after 5 attempts');
    expect(root.querySelector('[data-testid="next-sync"]')?.textContent).toMatch(/2026/);
    expect(button(root, 'Sync now')?.disabled).toBe(true);
  });

  it('gives the webhook URL and lists the deliveries, updated as they are processed', async () => {
    mockFetch(
      backend({
        [`GET ${url}/webhook-deliveries`]: () =>
          jsonResponse(200, { data: [deliveryFixture('d1', 'received', { integration_id: bamboo.id })], next_cursor: null }),
      }),
    );
    const { root } = await open(`/integrations/${bamboo.id}`);
    await eventually(() => expect(root.textContent).toContain('Webhook deliveries'));
    const address = root.querySelector<HTMLInputElement>('#webhook-url');
    expect(address?.value).toBe(`${location.origin}/webhooks/bamboohr/${bamboo.id}`);
    expect(root.querySelector('[data-testid="webhook-secret"]')?.textContent).toContain('webhook private key is not set');
    const table = () => root.querySelector('[aria-labelledby="webhook-deliveries-title"]')?.textContent ?? '';
    await eventually(() => expect(table()).toContain('employee.created'));
    expect(table()).toContain('Received');

    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));
    server.last?.push(topic, 'webhook_processed', {
      delivery: deliveryFixture('d1', 'processed', {
        integration_id: bamboo.id,
        result: { created: 1, updated: 0, unchanged: 0, failed: 0 },
        processed_at: '2026-11-25T10:00:03Z',
      }),
    });
    await eventually(() => expect(table()).toContain('1 created · 0 updated · 0 unchanged · 0 failed'));
    expect(table()).toContain('Processed');
  });

  it('deletes an integration after confirmation', async () => {
    const http = mockFetch(backend({ [`DELETE ${url}`]: () => new Response(null, { status: 204 }) }));
    const { root, router } = await open(`/integrations/${bamboo.id}`);
    await eventually(() => expect(button(root, 'Delete')).toBeDefined());
    button(root, 'Delete')?.click();
    await eventually(() => expect(document.body.textContent).toContain('Delete BambooHR (Acme)?'));
    expect(http.callsTo(`DELETE ${url}`)).toHaveLength(0);
    const dialog = document.querySelector('[role="alertdialog"], [role="dialog"]');
    [...(dialog?.querySelectorAll('button') ?? [])].find((b) => b.textContent?.trim() === 'Delete')?.click();
    await eventually(() => expect(router.currentRoute.value.name).toBe('integrations'));
    expect(http.callsTo(`DELETE ${url}`)).toHaveLength(1);
  });

  it('connects a device-management system from its group, and syncs its devices with what it found', async () => {
    const jamf = integrationFixture({
      id: '0190b7a4-0000-7000-8000-0000000001c3',
      provider: 'jamf',
      name: 'Jamf Pro',
      config: { base_url: 'http://127.0.0.1:7070/jamf' },
      credentials_set: ['client_id', 'client_secret'],
    });
    const jamfUrl = `/api/v1/integrations/${jamf.id}`;
    const http = mockFetch(
      backend({
        'POST /api/v1/integrations': () => jsonResponse(201, jamf),
        [`GET ${jamfUrl}`]: () => jsonResponse(200, jamf),
        [`POST ${jamfUrl}/sync`]: () => jsonResponse(202, { sync_run_id: 'r7' }),
        'GET /api/v1/sync-runs/r7': () => jsonResponse(200, syncRunFixture('r7', 'queued', { integration_id: jamf.id })),
      }),
    );
    const { root, router } = await open('/integrations/new?provider=jamf');
    await eventually(() => expect(fieldInput(root, 'Jamf Pro URL')).not.toBeNull());
    expect(fieldInput(root, 'API client secret')?.type).toBe('password');
    expect(fieldInput(root, 'Sync schedule')).not.toBeNull();
    (root.querySelector('[role="combobox"]') as HTMLElement | null)?.click();
    await eventually(() => expect(document.querySelectorAll('[role="option"]').length).toBeGreaterThan(0));
    const groups = [...document.querySelectorAll('.p-select-option-group')].map((group) => group.textContent?.trim());
    expect(groups).toEqual(['HR system', 'Device management', 'IT service desk', 'Finance', 'Chat']);
    (root.querySelector('[role="combobox"]') as HTMLElement | null)?.click();

    submitForm(root);
    await eventually(() => expect(fieldText(root, 'Jamf Pro URL')).toContain('This field is required.'));
    type(fieldInput(root, 'Jamf Pro URL'), 'http://127.0.0.1:7070/jamf');
    type(fieldInput(root, 'API client ID'), 'sandbox-jamf-client');
    type(fieldInput(root, 'API client secret'), 'sandbox-jamf-secret');
    submitForm(root);
    await eventually(() => expect(router.currentRoute.value.name).toBe('integration'));
    expect(http.callsTo('POST /api/v1/integrations')[0]?.body).toEqual({
      provider: 'jamf',
      name: 'Jamf Pro',
      schedule: null,
      config: { base_url: 'http://127.0.0.1:7070/jamf' },
      credentials: { client_id: 'sandbox-jamf-client', client_secret: 'sandbox-jamf-secret' },
    });

    await eventually(() => expect(root.textContent).toContain('Jamf Pro · Device management'));
    expect(root.textContent).not.toContain('Webhook deliveries');
    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));
    button(root, 'Sync now')?.click();
    await eventually(() => expect(root.textContent).toContain('Queued — waiting for a worker'));
    server.last?.push(topic, 'sync_started', { integration_id: jamf.id });
    await eventually(() => expect(root.textContent).toContain('Fetching devices from Jamf Pro'));
    const stats = { created: 0, updated: 1, unchanged: 0, failed: 0 };
    const details = { ignored: 199, discrepancies_opened: 1, discrepancies_resolved: 0 };
    server.last?.push(topic, 'sync_finished', { integration_id: jamf.id, status: 'succeeded', stats, details });
    server.last?.push(topic, 'sync_run_updated', {
      sync_run: syncRunFixture('r7', 'succeeded', { integration_id: jamf.id, stats: { ...stats, ...details } }),
    });
    await eventually(() => expect(root.querySelector('[data-testid="sync-progress"]')?.textContent).toContain('1 discrepancy opened'));
    expect(root.querySelector('[data-testid="sync-progress"]')?.textContent).toContain('199 ignored');
    await eventually(() =>
      expect(root.querySelector('[data-testid="run-details"]')?.textContent).toBe('199 ignored · 1 discrepancy opened'),
    );
  });

  it('shows Slack the addresses to call and offers no sync', async () => {
    const slack = integrationFixture({
      id: '0190b7a4-0000-7000-8000-0000000001b2',
      provider: 'slack',
      name: 'Slack',
      config: { notify_channel: 'C0ITOPS001' },
      credentials_set: ['bot_token'],
    });
    const http = mockFetch(backend({ [`GET /api/v1/integrations/${slack.id}`]: () => jsonResponse(200, slack) }));
    const { root } = await open(`/integrations/${slack.id}`);
    await eventually(() => expect(root.textContent).toContain('Request URLs for Slack'));
    const urls = ['events', 'commands', 'interactivity'].map(
      (path) => root.querySelector<HTMLInputElement>(`#inbound-${path}`)?.value,
    );
    expect(urls).toEqual([
      `${location.origin}/webhooks/slack/${slack.id}/events`,
      `${location.origin}/webhooks/slack/${slack.id}/commands`,
      `${location.origin}/webhooks/slack/${slack.id}/interactivity`,
    ]);
    expect(root.querySelector('[data-testid="inbound-secret"]')?.textContent).toContain('signing secret is not set');
    expect(root.querySelector('[data-testid="acts"]')?.textContent).toContain('nothing is synced');
    expect(button(root, 'Sync now')).toBeUndefined();
    expect(button(root, 'Test connection')).toBeDefined();
    expect(root.textContent).not.toContain('Sync runs');
    expect(root.textContent).not.toContain('Manual only');
    expect(http.callsTo('GET /api/v1/sync-runs')).toHaveLength(0);
  });

  it('connects a service desk without a schedule, its host given by the API base URL', async () => {
    const servicenow = integrationFixture({ provider: 'servicenow', name: 'ServiceNow' });
    const http = mockFetch(backend({ 'POST /api/v1/integrations': () => jsonResponse(201, servicenow) }));
    const { root, router } = await open('/integrations/new?provider=servicenow');
    await eventually(() => expect(fieldInput(root, 'Instance')).not.toBeNull());
    expect(fieldInput(root, 'Sync schedule')).toBeNull();
    expect(fieldText(root, 'Instance')).toContain('Not needed when the API base URL is given.');
    type(fieldInput(root, 'API base URL'), 'http://127.0.0.1:7070/servicenow');
    type(fieldInput(root, 'Username'), 'svc-assets');
    type(fieldInput(root, 'Password'), 'pw');
    submitForm(root);
    await eventually(() => expect(router.currentRoute.value.name).toBe('integration'));
    expect(http.callsTo('POST /api/v1/integrations')[0]?.body).toEqual({
      provider: 'servicenow',
      name: 'ServiceNow',
      schedule: null,
      config: { base_url: 'http://127.0.0.1:7070/servicenow' },
      credentials: { username: 'svc-assets', password: 'pw' },
    });
  });
});
