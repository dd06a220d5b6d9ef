/**
 * The asset list in the whole SPA (happy-dom), with `fetch` mocked and a fake Phoenix server
 * pushing the `assets:{tenant_id}` events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useAssetsStore } from '@/modules/assets/store';
import { button, eventually, settle, signedInApp } from '@/testing/app';
import { assetFixture } from '@/testing/assets';
import { deferred, jsonResponse, mockFetch, tokenBody, type Handler } from '@/testing/http';

const tokens = tokenBody('access-1', 'refresh-1');

function backend(extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /api/v1/me': () => jsonResponse(200, { user: tokens.user, tenant: tokens.tenant }),
    'GET /api/v1/approvals': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/discrepancies': () => jsonResponse(200, []),
    'GET /api/v1/assets': () => jsonResponse(200, { data: [assetFixture(1)], next_cursor: null }),
    'GET /api/v1/categories': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/locations': () => jsonResponse(200, { data: [], next_cursor: null }),
    'GET /api/v1/models': () => jsonResponse(200, { data: [], next_cursor: null }),
    ...extra,
  };
}

const { open, server } = signedInApp();
const topic = `assets:${tokens.tenant.id}`;
const rows = (root: Element) => [...root.querySelectorAll('[aria-labelledby="assets-title"] tbody tr[data-p-index]')];
const rowCount = (root: Element) => rows(root).length;
/** The "N new — Show" notice's words, if it shows. */
const notice = (root: Element) => root.querySelector('[data-testid="live-notice"] .live-notice__body > span')?.textContent?.trim();

describe('assets created elsewhere', () => {
  it('appear on top of the newest-first list, on its first page, without a reload', async () => {
    const http = mockFetch(backend());
    const { root } = await open('/assets');
    await eventually(() => expect(rowCount(root)).toBe(1));
    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));

    server.last?.push(topic, 'asset_created', { asset: assetFixture(7, { name: 'ThinkPad X1' }) });
    await eventually(() => expect(rowCount(root)).toBe(2));
    expect(rows(root)[0]?.textContent).toContain('LAP-0007');
    expect(rows(root)[1]?.textContent).toContain('LAP-0001');
    expect(root.textContent).toContain('Showing 2 assets (all)');
    expect(notice(root)).toBeUndefined();
    expect(http.callsTo('GET /api/v1/assets')).toHaveLength(1);
  });

  /** The list open with one asset, the channel joined. */
  async function openList() {
    const http = mockFetch(backend());
    const { root } = await open('/assets');
    await eventually(() => expect(rowCount(root)).toBe(1));
    await eventually(() => expect(server.last?.hasJoined(topic)).toBe(true));
    return { root, loads: () => http.callsTo('GET /api/v1/assets').length, filters: useAssetsStore().filters };
  }

  it('are announced under a filter they fail, and "Show" reloads the list', async () => {
    const { root, loads, filters } = await openList();
    filters.status = 'retired';
    await eventually(() => expect(loads()).toBe(2));
    server.last?.push(topic, 'asset_created', { asset: assetFixture(7) });
    await eventually(() => expect(notice(root)).toBe('1 new asset was added.'));
    expect(rowCount(root)).toBe(1);

    button(root, 'Show')?.click();
    await eventually(() => expect(loads()).toBe(3));
    await eventually(() => expect(notice(root)).toBeUndefined());
  });

  it('are announced in another order than newest first', async () => {
    const { root, loads, filters } = await openList();
    filters.sort = 'name';
    await eventually(() => expect(loads()).toBe(2));
    await settle();
    server.last?.push(topic, 'asset_created', { asset: assetFixture(7) });
    await eventually(() => expect(notice(root)).toBe('1 new asset was added.'));
    expect(rowCount(root)).toBe(1);
  });

  it('are announced under a search, which only the server runs', async () => {
    const { root, loads, filters } = await openList();
    filters.q = 'laptop';
    await eventually(() => expect(loads()).toBe(2));
    await settle();
    server.last?.push(topic, 'asset_created', { asset: assetFixture(9) });
    server.last?.push(topic, 'asset_created', { asset: assetFixture(10) });
    await eventually(() => expect(notice(root)).toBe('2 new assets were added.'));
    expect(rowCount(root)).toBe(1);
  });
});

describe('the table loading mask', () => {
  // The app's own stylesheet (main.ts loads it), so computed styles are the browser's.
  const appStyles = document.createElement('style');
  beforeEach(() => {
    appStyles.textContent = readFileSync(join(import.meta.dirname, '../../../styles.css'), 'utf8');
    document.head.append(appStyles);
  });
  afterEach(() => appStyles.remove());

  /** Whether a loading mask covers the table now. */
  const masked = (root: Element) => {
    const mask = root.querySelector('.p-datatable-mask');
    return mask !== null && getComputedStyle(mask).display !== 'none';
  };

  /** What the document looked like in each render that changed it, from now on. */
  function watchRenders(root: Element) {
    const renders: { rows: number; masked: boolean }[] = [];
    const observer = new MutationObserver(() => renders.push({ rows: rowCount(root), masked: masked(root) }));
    observer.observe(root, { subtree: true, childList: true, attributes: true });
    return { renders, stop: () => observer.disconnect() };
  }

  it('is gone in the render the rows appear, first load and reload alike', async () => {
    let answer = deferred<Response>();
    mockFetch(backend({ 'GET /api/v1/assets': () => answer.promise }));
    const { root } = await open('/assets');
    await eventually(() => expect(masked(root)).toBe(true));

    let watching = watchRenders(root);
    answer.resolve(jsonResponse(200, { data: [assetFixture(1)], next_cursor: null }));
    await eventually(() => expect(rowCount(root)).toBe(1));
    watching.stop();
    expect(watching.renders.find((render) => render.rows > 0)?.masked).toBe(false);

    // A new sort reloads the list; the rows shown meanwhile are masked until the answer comes.
    answer = deferred<Response>();
    root.querySelector<HTMLElement>('[aria-labelledby="assets-title"] th[data-p-sortable-column="true"]')?.click();
    await eventually(() => expect(masked(root)).toBe(true));
    watching = watchRenders(root);
    answer.resolve(jsonResponse(200, { data: [assetFixture(2), assetFixture(3)], next_cursor: null }));
    await eventually(() => expect(rowCount(root)).toBe(2));
    watching.stop();
    expect(watching.renders.find((render) => render.rows === 2)?.masked).toBe(false);
  });
});
