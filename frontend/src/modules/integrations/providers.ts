import { fieldMessage } from '@/api/messages';
import type { CreateIntegration } from '@/api/types';

/**
 * The connectors the app has a form for, one entry each: adding a provider to the screens
 * is adding an entry here (the server still checks every field, and answers
 * `provider: not_available` for a connector it does not offer yet).
 */

export type ProviderFieldKind = 'text' | 'url' | 'secret';

export interface ProviderField {
  /** The key inside `config` or `credentials`. */
  key: string;
  label: string;
  kind: ProviderFieldKind;
  required: boolean;
  hint?: string;
  placeholder?: string;
}

export interface ProviderSpec {
  /** The provider id of the API (`POST /integrations` `provider`). */
  id: string;
  label: string;
  /** What it connects, e.g. "HR system". */
  category: string;
  description: string;
  config: readonly ProviderField[];
  /** Write-only: sent once, never shown again (only whether each is set). */
  credentials: readonly ProviderField[];
  /** For a provider that sends webhooks: the credential that verifies them, and how to set them up. */
  webhook?: { secret: string; instructions: string };
}

/** Every provider accepts `base_url` to reach a sandbox, an on-premises install or a simulator. */
const baseUrl: ProviderField = {
  key: 'base_url',
  label: 'API base URL',
  kind: 'url',
  required: false,
  hint: "Only for a sandbox or self-hosted instance; leave empty for the vendor's own.",
  placeholder: 'https://',
};

export const providers: readonly ProviderSpec[] = [
  {
    id: 'bamboohr',
    label: 'BambooHR',
    category: 'HR system',
    description: 'Brings your people in from BambooHR: hires, changes and leavers.',
    config: [
      {
        key: 'subdomain',
        label: 'Company subdomain',
        kind: 'text',
        required: true,
        hint: 'The "acme" of acme.bamboohr.com.',
        placeholder: 'acme',
      },
      baseUrl,
    ],
    credentials: [
      { key: 'api_key', label: 'API key', kind: 'secret', required: true },
      {
        key: 'webhook_private_key',
        label: 'Webhook private key',
        kind: 'secret',
        required: false,
        hint: 'Verifies the webhooks BambooHR sends; optional.',
      },
    ],
    webhook: {
      secret: 'webhook_private_key',
      instructions:
        'Add a webhook in BambooHR with this URL. BambooHR signs every delivery with the private key it shows for that webhook: connect with it as the webhook private key, or deliveries are refused.',
    },
  },
  {
    id: 'hibob',
    label: 'HiBob',
    category: 'HR system',
    description: 'Brings your people in from HiBob through a service user.',
    config: [baseUrl],
    credentials: [
      { key: 'service_user_id', label: 'Service user ID', kind: 'text', required: true },
      { key: 'token', label: 'Service user token', kind: 'secret', required: true },
      {
        key: 'webhook_secret',
        label: 'Webhook secret',
        kind: 'secret',
        required: false,
        hint: 'Verifies the webhooks HiBob sends; optional.',
      },
    ],
    webhook: {
      secret: 'webhook_secret',
      instructions:
        'Add a webhook in HiBob with this URL. HiBob signs every delivery with the webhook secret: connect with it as the webhook secret, or deliveries are refused.',
    },
  },
];

export function providerSpec(id: string | null | undefined): ProviderSpec | undefined {
  return providers.find((provider) => provider.id === id);
}

/** Where the vendor sends an integration's webhooks (`POST /webhooks/{provider}/{integration_id}`). */
export function webhookUrl(origin: string, provider: string, integrationId: string): string {
  return `${origin.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(provider)}/${encodeURIComponent(integrationId)}`;
}

/** A provider's name for people; an id this app has no entry for is shown as it is. */
export function providerLabel(id: string): string {
  return providerSpec(id)?.label ?? id;
}

/**
 * The choices of the provider picker. Providers the server refused as not available are
 * offered, but disabled — except the chosen one, which a picker would otherwise show as no
 * choice at all.
 */
export function providerOptions(
  unavailable: ReadonlySet<string>,
  chosen: string | null,
): { value: string; label: string; disabled: boolean }[] {
  return providers.map((provider) => {
    const refused = unavailable.has(provider.id);
    return {
      value: provider.id,
      label: refused ? `${provider.label} (not available yet)` : provider.label,
      disabled: refused && provider.id !== chosen,
    };
  });
}

/** What the create form edits. Values are the inputs' text; empty means "not given". */
export interface IntegrationDraft {
  provider: string | null;
  name: string;
  schedule: string;
  config: Record<string, string>;
  credentials: Record<string, string>;
}

export function emptyIntegrationDraft(provider: string | null = null): IntegrationDraft {
  return { provider, name: '', schedule: '', config: {}, credentials: {} };
}

/** The field names the server uses in `errors[].field` for a provider's form. */
export function integrationFormFields(spec: ProviderSpec | undefined): string[] {
  return [
    'provider',
    'name',
    'schedule',
    ...(spec?.config ?? []).map((field) => `config.${field.key}`),
    ...(spec?.credentials ?? []).map((field) => `credentials.${field.key}`),
  ];
}

const urlPattern = /^https?:\/\/\S+$/;

/** Checks that save a round trip (field → message); the server validates everything again. */
export function checkIntegrationDraft(spec: ProviderSpec | undefined, draft: IntegrationDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!spec) {
    errors.provider = fieldMessage('provider', 'required', undefined);
    return errors;
  }
  for (const [group, fields] of [
    ['config', spec.config],
    ['credentials', spec.credentials],
  ] as const) {
    for (const field of fields) {
      const value = (draft[group][field.key] ?? '').trim();
      const name = `${group}.${field.key}`;
      if (field.required && !value) errors[name] = fieldMessage(name, 'required', undefined);
      else if (value && field.kind === 'url' && !urlPattern.test(value)) {
        errors[name] = fieldMessage(name, 'invalid_format', undefined);
      }
    }
  }
  const schedule = draft.schedule.trim();
  if (schedule && schedule.split(/\s+/).length < 5) errors.schedule = fieldMessage('schedule', 'invalid_format', undefined);
  return errors;
}

function values(fields: readonly ProviderField[], given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    const value = (given[field.key] ?? '').trim();
    if (value) out[field.key] = value;
  }
  return out;
}

/**
 * The body of `POST /integrations`: only the provider's own fields, empty ones left out; an
 * unnamed integration is named after its system.
 */
export function toCreateIntegration(spec: ProviderSpec, draft: IntegrationDraft): CreateIntegration {
  return {
    provider: spec.id,
    name: draft.name.trim() || spec.label,
    schedule: draft.schedule.trim() || null,
    config: values(spec.config, draft.config),
    credentials: values(spec.credentials, draft.credentials),
  };
}

/** The credentials of a provider with whether each is set, for "set" badges (values are never known). */
export function credentialStates(spec: ProviderSpec | undefined, set: readonly string[]): { key: string; label: string; set: boolean }[] {
  const known = (spec?.credentials ?? []).map((field) => ({ key: field.key, label: field.label, set: set.includes(field.key) }));
  const others = set
    .filter((key) => !known.some((field) => field.key === key))
    .map((key) => ({ key, label: key, set: true }));
  return [...known, ...others];
}
