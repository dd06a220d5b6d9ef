/** The organization settings in the whole SPA (happy-dom), with `fetch` mocked. */
import { describe, expect, it } from 'vitest';
import type { Role, TenantSettings } from '@/api/types';
import { eventually, fieldInput, signedInApp, submitForm } from '@/testing/app';
import { jsonResponse, mockFetch, tokenBody, type Handler } from '@/testing/http';

const tokens = tokenBody('access-1', 'refresh-1');
const settings: TenantSettings = {
  id: tokens.tenant.id,
  slug: tokens.tenant.slug,
  name: tokens.tenant.name,
  asset_tag_prefix: 'AST',
  mdm_creates_assets: true,
  created_at: '2026-11-25T10:00:00Z',
};
const toggleLabel = 'Create assets for unknown devices from the MDM';

function backend(role: Role, extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/v1/me': () => jsonResponse(200, { user: { ...tokens.user, role }, tenant: tokens.tenant }),
    'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/discrepancies': () => jsonResponse(200, []),
    'GET /api/v1/tenant': () => jsonResponse(200, settings),
    ...extra,
  };
}

const { open } = signedInApp();

describe('organization settings', () => {
  it('lets an owner stop MDM syncs from creating assets for devices nobody recorded', async () => {
    const http = mockFetch(
      backend('owner', {
        'PATCH /api/v1/tenant': (call) => jsonResponse(200, { ...settings, ...(call.body as Partial<TenantSettings>) }),
      }),
    );
    const { root } = await open('/settings/organization');
    await eventually(() => expect(fieldInput(root, toggleLabel)?.checked).toBe(true));
    expect(fieldInput(root, toggleLabel)?.getAttribute('role')).toBe('switch');
    fieldInput(root, toggleLabel)?.click();
    await eventually(() => expect(fieldInput(root, toggleLabel)?.checked).toBe(false));
    submitForm(root);
    await eventually(() => expect(http.callsTo('PATCH /api/v1/tenant')).toHaveLength(1));
    expect(http.callsTo('PATCH /api/v1/tenant')[0]?.body).toEqual({ name: 'Acme Inc.', asset_tag_prefix: 'AST', mdm_creates_assets: false });
    await eventually(() => expect(document.body.textContent).toContain('Organization saved'));
    expect(fieldInput(root, toggleLabel)?.checked).toBe(false);
  });

  it('shows others the setting without letting them change it', async () => {
    mockFetch(backend('admin', { 'GET /api/v1/tenant': () => jsonResponse(200, { ...settings, mdm_creates_assets: false }) }));
    const { root } = await open('/settings/organization');
    await eventually(() => expect(fieldInput(root, toggleLabel)).not.toBeNull());
    expect(fieldInput(root, toggleLabel)?.checked).toBe(false);
    expect(fieldInput(root, toggleLabel)?.disabled).toBe(true);
  });
});
