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
  /**
   * For a required field that another config field may stand in for (a vendor's host, which
   * `base_url` replaces): the field is not needed when that one is given.
   */
  unlessGiven?: string;
  hint?: string;
  placeholder?: string;
}

/** What a provider is, in the order the picker groups them. */
export const providerCategories = ['HR system', 'Device management', 'IT service desk', 'Finance', 'Chat'] as const;
export type ProviderCategory = (typeof providerCategories)[number];

/** What a sync brings in; a provider without one acts when something happens instead. */
export type SyncSubject = 'people' | 'devices' | 'purchases';

/** An address the vendor sends requests to (Slack's events, slash commands, clicks). */
export interface InboundEndpoint {
  /** The last path segment, after `/webhooks/{provider}/{integration_id}/`. */
  path: string;
  label: string;
  hint: string;
}

export interface ProviderSpec {
  /** The provider id of the API (`POST /integrations` `provider`). */
  id: string;
  label: string;
  category: ProviderCategory;
  description: string;
  /** What "Sync now" and a schedule bring in; none: the provider never syncs (no sync UI). */
  syncs?: SyncSubject;
  /** For a provider that does not sync: what it does instead, for its page. */
  acts?: string;
  config: readonly ProviderField[];
  /** Write-only: sent once, never shown again (only whether each is set). */
  credentials: readonly ProviderField[];
  /** For a provider that sends webhooks: the credential that verifies them, and how to set them up. */
  webhook?: { secret: string; instructions: string };
  /** For a provider that calls us (Slack): where, the credential that verifies it, and how to set it up. */
  inbound?: { secret: string; instructions: string; endpoints: readonly InboundEndpoint[] };
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

/** A vendor host given by its name (`acme` of acme.atlassian.net), or by `base_url` instead. */
function hostName(key: string, label: string, example: string): ProviderField {
  return {
    key,
    label,
    kind: 'text',
    required: true,
    unlessGiven: 'base_url',
    hint: `The "acme" of acme.${example}. Not needed when the API base URL is given.`,
    placeholder: 'acme',
  };
}

/** What a device-management connector does, for its entry. */
const mdm = (what: string): string =>
  `Reads ${what} into the assets with the same serial numbers (OS, last check-in, user), flags devices whose user is not the asset's holder, and wipes devices when someone leaves.`;

const secret = (key: string, label: string, hint?: string): ProviderField => ({ key, label, kind: 'secret', required: true, hint });
const text = (key: string, label: string, hint?: string, placeholder?: string): ProviderField => ({
  key,
  label,
  kind: 'text',
  required: true,
  hint,
  placeholder,
});

export const providers: readonly ProviderSpec[] = [
  {
    id: 'bamboohr',
    label: 'BambooHR',
    category: 'HR system',
    description: 'Brings your people in from BambooHR: hires, changes and leavers.',
    syncs: 'people',
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
    syncs: 'people',
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
  {
    id: 'jamf',
    label: 'Jamf Pro',
    category: 'Device management',
    description: mdm('your Macs from Jamf Pro'),
    syncs: 'devices',
    config: [
      {
        key: 'base_url',
        label: 'Jamf Pro URL',
        kind: 'url',
        required: true,
        hint: 'Where you sign in to Jamf Pro.',
        placeholder: 'https://acme.jamfcloud.com',
      },
    ],
    credentials: [
      text('client_id', 'API client ID', 'An API client (Settings › API roles and clients) whose role reads computers; to wipe, it also sends erase commands.'),
      secret('client_secret', 'API client secret'),
    ],
  },
  {
    id: 'intune',
    label: 'Microsoft Intune',
    category: 'Device management',
    description: mdm('your managed devices from Intune'),
    syncs: 'devices',
    config: [
      text('tenant_id', 'Directory (tenant) ID', 'Your Microsoft Entra tenant ID, or its domain such as acme.onmicrosoft.com.'),
      { ...baseUrl, label: 'Microsoft Graph base URL' },
      {
        key: 'login_base_url',
        label: 'Sign-in base URL',
        kind: 'url',
        required: false,
        hint: "Only for a sandbox; leave empty for Microsoft's own sign-in.",
        placeholder: 'https://',
      },
    ],
    credentials: [
      text(
        'client_id',
        'Application (client) ID',
        'An app registration with the DeviceManagementManagedDevices.Read.All application permission (and DeviceManagementManagedDevices.PrivilegedOperations.All to wipe).',
      ),
      secret('client_secret', 'Client secret'),
    ],
  },
  {
    id: 'kandji',
    label: 'Kandji',
    category: 'Device management',
    description: mdm('your Apple devices from Kandji'),
    syncs: 'devices',
    config: [
      {
        key: 'base_url',
        label: 'Kandji API URL',
        kind: 'url',
        required: true,
        hint: 'Shown under Settings › Access in Kandji.',
        placeholder: 'https://acme.api.kandji.io',
      },
    ],
    credentials: [secret('api_token', 'API token', 'A token allowed to read devices; to wipe, also to erase them.')],
  },
  {
    id: 'jira_service_management',
    label: 'Jira Service Management',
    category: 'IT service desk',
    description: 'Raises a ticket in your Jira service desk when a workflow needs IT to act.',
    acts: 'Opens tickets in Jira Service Management when a workflow asks for one; nothing is synced.',
    config: [
      hostName('site', 'Atlassian site', 'atlassian.net'),
      text('service_desk_id', 'Service desk ID', "The service desk's number, as the API lists it (GET /rest/servicedeskapi/servicedesk).", '1'),
      text(
        'request_type_id',
        'Request type ID',
        'The number of the request type tickets are raised as; it must take a summary and a description and require nothing else.',
        '10',
      ),
      baseUrl,
    ],
    credentials: [
      text('email', 'Account email', 'The Atlassian account tickets are raised by.'),
      secret('api_token', 'API token', 'An API token of that account (id.atlassian.com › Security).'),
    ],
  },
  {
    id: 'servicenow',
    label: 'ServiceNow',
    category: 'IT service desk',
    description: 'Raises a ServiceNow ticket when a workflow needs IT to act.',
    acts: 'Opens ServiceNow tickets when a workflow asks for one; nothing is synced.',
    config: [
      hostName('instance', 'Instance', 'service-now.com'),
      {
        key: 'table',
        label: 'Table',
        kind: 'text',
        required: false,
        hint: 'Where tickets go; incident if empty.',
        placeholder: 'incident',
      },
      baseUrl,
    ],
    credentials: [
      text('username', 'Username', 'An integration user allowed to create and read records of that table.'),
      secret('password', 'Password'),
    ],
  },
  {
    id: 'freshservice',
    label: 'Freshservice',
    category: 'IT service desk',
    description: 'Raises a Freshservice ticket when a workflow needs IT to act.',
    acts: 'Opens Freshservice tickets when a workflow asks for one; nothing is synced.',
    config: [
      hostName('domain', 'Domain', 'freshservice.com'),
      {
        key: 'default_requester_email',
        label: 'Default requester email',
        kind: 'text',
        required: false,
        hint: "Freshservice needs a requester: who a ticket is raised for when it names nobody, e.g. your IT team's address.",
        placeholder: 'it@acme.com',
      },
      baseUrl,
    ],
    credentials: [secret('api_key', 'API key', "Your Freshservice profile's API key.")],
  },
  {
    id: 'quickbooks',
    label: 'QuickBooks Online',
    category: 'Finance',
    description: 'Reads purchases from QuickBooks Online to fill in what your devices cost and when they were bought.',
    syncs: 'purchases',
    config: [
      text('realm_id', 'Company ID (realm ID)', 'Shown in QuickBooks under Account and settings › Billing & subscription.'),
      baseUrl,
      {
        key: 'token_url',
        label: 'Token URL',
        kind: 'url',
        required: false,
        hint: "Only for a sandbox; leave empty for Intuit's own.",
        placeholder: 'https://',
      },
    ],
    credentials: [
      text('client_id', 'Client ID', 'Of your Intuit developer app.'),
      secret('client_secret', 'Client secret'),
      secret('refresh_token', 'Refresh token', 'Given when the company authorized the app. QuickBooks renews it as it is used.'),
    ],
  },
  {
    id: 'netsuite',
    label: 'NetSuite',
    category: 'Finance',
    description: 'Reads purchases from NetSuite to fill in what your devices cost and when they were bought.',
    syncs: 'purchases',
    config: [text('account_id', 'Account ID', 'e.g. 1234567, or 1234567_SB1 for a sandbox account.', '1234567'), baseUrl],
    credentials: [
      text('consumer_key', 'Consumer key', 'From the integration record (token-based authentication).'),
      secret('consumer_secret', 'Consumer secret'),
      text('token_id', 'Token ID', 'From the access token of a role allowed to read purchases.'),
      secret('token_secret', 'Token secret'),
    ],
  },
  {
    id: 'slack',
    label: 'Slack',
    category: 'Chat',
    description: 'Posts notices to Slack and answers your people there: slash commands and buttons.',
    acts: 'Posts to Slack and answers the requests Slack sends; nothing is synced.',
    config: [
      {
        key: 'notify_channel',
        label: 'Notification channel',
        kind: 'text',
        required: false,
        hint: 'Where notices are posted, e.g. C0ITOPS001 (the channel ID); invite the app to it.',
        placeholder: 'C0ITOPS001',
      },
      { ...baseUrl, hint: "Only for a sandbox: the API root, ending in /api. Leave empty for Slack's own." },
    ],
    credentials: [
      { ...secret('bot_token', 'Bot token', "The app's Bot User OAuth Token (OAuth & Permissions)."), placeholder: 'xoxb-' },
      secret('signing_secret', 'Signing secret', 'From Basic Information › App Credentials; verifies the requests Slack sends.'),
    ],
    inbound: {
      secret: 'signing_secret',
      instructions:
        "In your Slack app's settings, give Slack these addresses. Slack signs every request with the signing secret: requests that do not match it are refused.",
      endpoints: [
        { path: 'events', label: 'Event Subscriptions request URL', hint: 'Event Subscriptions › Request URL.' },
        { path: 'commands', label: 'Slash command request URL', hint: "Slash Commands › each command's Request URL." },
        { path: 'interactivity', label: 'Interactivity request URL', hint: 'Interactivity & Shortcuts › Request URL.' },
      ],
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

/** Where the vendor sends one kind of request to an integration (`{webhook URL}/{path}`, e.g. Slack's `events`). */
export function inboundUrl(origin: string, provider: string, integrationId: string, path: string): string {
  return `${webhookUrl(origin, provider, integrationId)}/${encodeURIComponent(path)}`;
}

/** Whether the provider syncs (so offers "Sync now" and a schedule); an unknown one is assumed to. */
export function syncsRecords(spec: ProviderSpec | undefined): boolean {
  return spec === undefined || spec.syncs !== undefined;
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

/** The picker's choices grouped by category, in the categories' order (empty ones left out). */
export function providerGroups(
  unavailable: ReadonlySet<string>,
  chosen: string | null,
): { label: ProviderCategory; items: { value: string; label: string; disabled: boolean }[] }[] {
  const options = providerOptions(unavailable, chosen);
  return providerCategories
    .map((label) => ({
      label,
      items: options.filter((option) => providerSpec(option.value)?.category === label),
    }))
    .filter((group) => group.items.length > 0);
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
    ...(syncsRecords(spec) ? ['schedule'] : []),
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
      const standIn = field.unlessGiven ? (draft[group][field.unlessGiven] ?? '').trim() : '';
      if (field.required && !value && !standIn) errors[name] = fieldMessage(name, 'required', undefined);
      else if (value && field.kind === 'url' && !urlPattern.test(value)) {
        errors[name] = fieldMessage(name, 'invalid_format', undefined);
      }
    }
  }
  const schedule = syncsRecords(spec) ? draft.schedule.trim() : '';
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
 * unnamed integration is named after its system; a provider that does not sync has no schedule.
 */
export function toCreateIntegration(spec: ProviderSpec, draft: IntegrationDraft): CreateIntegration {
  return {
    provider: spec.id,
    name: draft.name.trim() || spec.label,
    schedule: (syncsRecords(spec) && draft.schedule.trim()) || null,
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
