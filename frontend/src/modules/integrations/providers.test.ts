import { describe, expect, it } from 'vitest';
import {
  checkIntegrationDraft,
  credentialStates,
  emptyIntegrationDraft,
  integrationFormFields,
  providerLabel,
  providerOptions,
  providerSpec,
  providers,
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
    expect(providerLabel('jamf')).toBe('jamf');
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
    expect(providerOptions(refused, 'bamboohr')).toEqual([
      { value: 'bamboohr', label: 'BambooHR', disabled: false },
      { value: 'hibob', label: 'HiBob (not available yet)', disabled: true },
    ]);
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
});
