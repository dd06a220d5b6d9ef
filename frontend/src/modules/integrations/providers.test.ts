import { describe, expect, it } from 'vitest';
import {
  checkIntegrationDraft,
  credentialStates,
  emptyIntegrationDraft,
  inboundUrl,
  integrationFormFields,
  providerCategories,
  providerGroups,
  providerLabel,
  providerOptions,
  providerSpec,
  providers,
  syncsRecords,
  toCreateIntegration,
  webhookUrl,
} from './providers';

const bamboohr = providerSpec('bamboohr');

describe('providers', () => {
  it('has one entry per provider id, each with the fields its API needs', () => {
    expect(new Set(providers.map((p) => p.id)).size).toBe(providers.length);
    expect(bamboohr?.config.map((f) => f.key)).toEqual(['subdomain', 'base_url']);
    expect(bamboohr?.credentials.map((f) => f.key)).toEqual(['api_key', 'webhook_private_key']);
    expect(providerSpec('hibob')?.credentials.filter((f) => f.required).map((f) => f.key)).toEqual([
      'service_user_id',
      'token',
    ]);
    expect(providerLabel('bamboohr')).toBe('BambooHR');
    expect(providerLabel('jamf')).toBe('Jamf Pro');
    expect(providerLabel('workday')).toBe('workday');
  });

  it('has an entry for every provider the API accepts, grouped by category in order', () => {
    expect(providers.map((p) => p.id)).toEqual([
      'bamboohr',
      'hibob',
      'jamf',
      'intune',
      'kandji',
      'jira_service_management',
      'servicenow',
      'freshservice',
      'quickbooks',
      'netsuite',
      'slack',
    ]);
    const order = providers.map((p) => providerCategories.indexOf(p.category));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(providerGroups(new Set(), null).map((group) => [group.label, group.items.map((item) => item.value)])).toEqual([
      ['HR system', ['bamboohr', 'hibob']],
      ['Device management', ['jamf', 'intune', 'kandji']],
      ['IT service desk', ['jira_service_management', 'servicenow', 'freshservice']],
      ['Finance', ['quickbooks', 'netsuite']],
      ['Chat', ['slack']],
    ]);
  });

  it('requires what the server requires of each provider', () => {
    const required = (id: string) => {
      const spec = providerSpec(id);
      return {
        config: spec?.config.filter((f) => f.required).map((f) => f.key),
        credentials: spec?.credentials.filter((f) => f.required).map((f) => f.key),
      };
    };
    expect(required('jamf')).toEqual({ config: ['base_url'], credentials: ['client_id', 'client_secret'] });
    expect(required('intune')).toEqual({ config: ['tenant_id'], credentials: ['client_id', 'client_secret'] });
    expect(providerSpec('intune')?.config.map((f) => f.key)).toEqual(['tenant_id', 'base_url', 'login_base_url']);
    expect(required('kandji')).toEqual({ config: ['base_url'], credentials: ['api_token'] });
    expect(required('jira_service_management')).toEqual({
      config: ['site', 'service_desk_id', 'request_type_id'],
      credentials: ['email', 'api_token'],
    });
    expect(required('servicenow')).toEqual({ config: ['instance'], credentials: ['username', 'password'] });
    expect(providerSpec('servicenow')?.config.map((f) => f.key)).toEqual(['instance', 'table', 'base_url']);
    expect(required('freshservice')).toEqual({ config: ['domain'], credentials: ['api_key'] });
    expect(providerSpec('freshservice')?.config.map((f) => f.key)).toEqual(['domain', 'default_requester_email', 'base_url']);
    expect(required('quickbooks')).toEqual({ config: ['realm_id'], credentials: ['client_id', 'client_secret', 'refresh_token'] });
    expect(providerSpec('quickbooks')?.config.map((f) => f.key)).toEqual(['realm_id', 'base_url', 'token_url']);
    expect(required('netsuite')).toEqual({
      config: ['account_id'],
      credentials: ['consumer_key', 'consumer_secret', 'token_id', 'token_secret'],
    });
    expect(required('slack')).toEqual({ config: [], credentials: ['bot_token', 'signing_secret'] });
    expect(providerSpec('slack')?.config.map((f) => f.key)).toEqual(['notify_channel', 'base_url']);
    // Secrets are never shown as they are typed.
    for (const provider of providers) {
      for (const field of provider.credentials.filter((f) => /secret|token$|password|api_key/.test(f.key) && f.key !== 'token_id')) {
        expect(field.kind, `${provider.id}.${field.key}`).toBe('secret');
      }
    }
  });

  it('offers syncing only for the providers that sync', () => {
    expect(providers.filter((p) => syncsRecords(p)).map((p) => [p.id, p.syncs])).toEqual([
      ['bamboohr', 'people'],
      ['hibob', 'people'],
      ['jamf', 'devices'],
      ['intune', 'devices'],
      ['kandji', 'devices'],
      ['quickbooks', 'purchases'],
      ['netsuite', 'purchases'],
    ]);
    for (const provider of providers.filter((p) => !syncsRecords(p))) expect(provider.acts, provider.id).toBeTruthy();
    expect(syncsRecords(undefined)).toBe(true);
    const jsm = providerSpec('jira_service_management');
    expect(integrationFormFields(jsm)).not.toContain('schedule');
    const draft = emptyIntegrationDraft('jira_service_management');
    draft.schedule = 'not a cron';
    draft.config = { site: 'acme', service_desk_id: '1', request_type_id: '10' };
    draft.credentials = { email: 'it@acme.test', api_token: 't' };
    expect(checkIntegrationDraft(jsm, draft)).toEqual({});
    expect(jsm && toCreateIntegration(jsm, draft).schedule).toBeNull();
  });

  it('takes the API base URL in place of a vendor host name', () => {
    const servicenow = providerSpec('servicenow');
    const draft = emptyIntegrationDraft('servicenow');
    draft.credentials = { username: 'svc', password: 'p' };
    expect(checkIntegrationDraft(servicenow, draft)).toEqual({ 'config.instance': 'This field is required.' });
    draft.config = { base_url: 'http://127.0.0.1:7070/servicenow' };
    expect(checkIntegrationDraft(servicenow, draft)).toEqual({});
    expect(servicenow && toCreateIntegration(servicenow, draft).config).toEqual({ base_url: 'http://127.0.0.1:7070/servicenow' });
  });

  it("names a form's fields as the server does in field errors", () => {
    expect(integrationFormFields(bamboohr)).toEqual([
      'provider',
      'name',
      'schedule',
      'config.subdomain',
      'config.base_url',
      'credentials.api_key',
      'credentials.webhook_private_key',
    ]);
  });

  it('checks required fields, URLs and cron expressions before sending', () => {
    const draft = emptyIntegrationDraft('bamboohr');
    expect(Object.keys(checkIntegrationDraft(bamboohr, draft))).toEqual(['config.subdomain', 'credentials.api_key']);
    draft.config = { subdomain: 'acme', base_url: 'localhost:7070' };
    draft.credentials = { api_key: 'k' };
    draft.schedule = '0 6 *';
    expect(checkIntegrationDraft(bamboohr, draft)).toEqual({
      'config.base_url': 'Enter a URL starting with https:// (or http:// for a local sandbox).',
      schedule: 'Use a cron expression such as 0 */6 * * *.',
    });
    draft.config.base_url = 'http://127.0.0.1:7070/bamboohr';
    draft.schedule = '0 */6 * * *';
    expect(checkIntegrationDraft(bamboohr, draft)).toEqual({});
    expect(checkIntegrationDraft(undefined, draft)).toEqual({ provider: 'Pick the system to connect.' });
  });

  it("sends only the provider's own fields, trimmed, leaving out empty ones", () => {
    const draft = emptyIntegrationDraft('bamboohr');
    draft.config = { subdomain: ' acme ', base_url: '', stray: 'x' };
    draft.credentials = { api_key: 'secret-key', webhook_private_key: '  ' };
    expect(toCreateIntegration(bamboohr ?? providers[0]!, draft)).toEqual({
      provider: 'bamboohr',
      name: 'BambooHR',
      schedule: null,
      config: { subdomain: 'acme' },
      credentials: { api_key: 'secret-key' },
    });
  });

  it('shows which credentials are set, never their values', () => {
    expect(credentialStates(bamboohr, ['api_key', 'legacy_token'])).toEqual([
      { key: 'api_key', label: 'API key', set: true },
      { key: 'webhook_private_key', label: 'Webhook private key', set: false },
      { key: 'legacy_token', label: 'legacy_token', set: true },
    ]);
  });

  it('disables the providers the server refused, unless chosen', () => {
    const refused = new Set(['hibob']);
    expect(providerOptions(refused, 'bamboohr').slice(0, 3)).toEqual([
      { value: 'bamboohr', label: 'BambooHR', disabled: false },
      { value: 'hibob', label: 'HiBob (not available yet)', disabled: true },
      { value: 'jamf', label: 'Jamf Pro', disabled: false },
    ]);
    expect(providerGroups(refused, 'bamboohr')[0]?.items[1]).toEqual({ value: 'hibob', label: 'HiBob (not available yet)', disabled: true });
    expect(providerOptions(refused, 'hibob')[1]).toEqual({ value: 'hibob', label: 'HiBob (not available yet)', disabled: false });
    expect(providerOptions(new Set(), null).every((option) => !option.disabled)).toBe(true);
  });
});

describe('webhooks', () => {
  it('gives the vendor the URL of this integration, and names the credential that verifies it', () => {
    expect(webhookUrl('https://assets.acme.test/', 'bamboohr', '0190b7a4-0000-7000-8000-0000000001a1')).toBe(
      'https://assets.acme.test/webhooks/bamboohr/0190b7a4-0000-7000-8000-0000000001a1',
    );
    for (const provider of providers.filter((p) => p.webhook)) {
      const secret = provider.credentials.find((field) => field.key === provider.webhook?.secret);
      expect(secret, provider.id).toMatchObject({ kind: 'secret', required: false });
    }
    expect(providerSpec('bamboohr')?.webhook?.secret).toBe('webhook_private_key');
    expect(providerSpec('hibob')?.webhook?.secret).toBe('webhook_secret');
  });

  it("gives Slack the addresses of its events, slash commands and clicks, verified by the signing secret", () => {
    const slack = providerSpec('slack');
    const id = '0190b7a4-0000-7000-8000-0000000001b2';
    expect(slack?.inbound?.endpoints.map((endpoint) => inboundUrl('https://assets.acme.test', 'slack', id, endpoint.path))).toEqual([
      `https://assets.acme.test/webhooks/slack/${id}/events`,
      `https://assets.acme.test/webhooks/slack/${id}/commands`,
      `https://assets.acme.test/webhooks/slack/${id}/interactivity`,
    ]);
    expect(slack?.credentials.find((field) => field.key === slack.inbound?.secret)).toMatchObject({ kind: 'secret', required: true });
  });
});
