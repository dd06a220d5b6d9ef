/**
 * End-to-end flows of the web app against the real backend, written as a user would click.
 *
 *   npm run build && npm run e2e
 *
 * Needs the server and the vendor simulator binaries
 * (${CARGO_TARGET_DIR:-/var/tmp/assetronics-target}/debug/assetronics{,-sandbox}) and Chromium
 * at /usr/bin/chromium; see harness.mjs. Screenshots of the main screens at a laptop
 * (1366×768) and a tablet (820×1180) size go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { screenshotDir, startEnvironment, startSandbox } from './harness.mjs';

const TIMEOUT = 15_000;
/** A sync waits for a job worker, then writes every person: allow it more than a click. */
const SYNC_TIMEOUT = 120_000;
/** People in the simulated BambooHR company: more than one batch of the sync (500), for visible progress. */
const HR_PEOPLE = 1200;
const user = {
  organization: 'Umbrella Robotics',
  name: 'Ada Lovelace',
  email: `ada+${Date.now()}@umbrella.test`,
  password: 'correct-horse-battery',
};

const viewer = { email: `vera+${Date.now()}@umbrella.test`, password: 'viewer-password-2026' };
/** The synced person whose account approves the new hires' equipment (filled in by the story). */
const manager = { email: '', name: '', password: 'manager-password-2026' };
/** People hired in BambooHR during the run, starting in a few days: each gets an onboarding. */
const hires = {
  approved: { firstName: 'Nova', lastName: 'Newhire', workEmail: `nova+${Date.now()}@umbrella.test` },
  rejected: { firstName: 'Rex', lastName: 'Reject', workEmail: `rex+${Date.now()}@umbrella.test` },
};
const nameOf = (hire) => `${hire.firstName} ${hire.lastName}`;

let env;
let sandbox;
let page;
/** Set by the flows, read by later ones (the story builds on itself). */
const story = {};

/** Saves the current screen at the laptop and the tablet size. */
async function snap(name) {
  // Not while a table is still loading.
  await page.locator('.p-datatable-mask').waitFor({ state: 'detached' });
  for (const [label, viewport] of [
    ['laptop', { width: 1366, height: 768 }],
    ['tablet', { width: 820, height: 1180 }],
  ]) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(screenshotDir, `${name}.${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** A label's exact text; a required field's label ends in a decorative ` *`. */
function exactly(label) {
  return new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`);
}

/**
 * One step of the story. Steps build on each other, so after a failure the rest are
 * skipped (not failed by the same cause again); a failure leaves a screenshot.
 */
let broken = false;
function step(name, body) {
  test(name, async (t) => {
    if (broken) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await body();
    } catch (error) {
      broken = true;
      const file = join(screenshotDir, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
      await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      throw error;
    }
  });
}

/** Picks `option` in the PrimeVue Select labelled `label` (inside `within`, e.g. a dialog). */
async function choose(label, option, within = page) {
  await within.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function toast(text, on = page) {
  await on.locator('.p-toast-message').filter({ hasText: text }).first().waitFor({ timeout: TIMEOUT });
}

async function nav(label, on = page) {
  await on.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
}

async function signIn(on, { email, password }) {
  await on.getByLabel('Email').fill(email);
  await on.getByLabel(exactly('Password')).fill(password);
  await on.getByRole('button', { name: 'Sign in', exact: true }).click();
  await on.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
}

/** The signed-in user's access token, for changing things through the API behind the screen's back. */
async function accessToken() {
  return page.evaluate(() => JSON.parse(localStorage.getItem('assetronics.session') ?? '{}').access_token);
}

/** Calls the API as the signed-in user of `page` (for setting things up behind the screens). */
async function callApi(method, path, body) {
  const response = await fetch(`${env.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await accessToken()}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
  return response.status === 204 ? null : response.json();
}

/** One step of a workflow's timeline on the open detail screen. */
const workflowStep = (name, on = page) => on.locator(`[data-testid="workflow-step"][aria-label="${name}"]`);

async function newPage(context) {
  const opened = await context.newPage();
  opened.setDefaultTimeout(TIMEOUT);
  opened.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  return opened;
}

before(async () => {
  [env, sandbox] = await Promise.all([startEnvironment(), startSandbox({ employees: HR_PEOPLE })]);
  page = await newPage(env.context);
});

after(async () => {
  await Promise.all([env?.stop(), sandbox?.stop()]);
});

describe('Assetronics in a browser', { concurrency: false }, () => {
  step('signs up a new organization', async () => {
    await page.goto('/');
    await page.getByRole('link', { name: 'Create an organization' }).click();
    await page.getByLabel('Organization name').fill(user.organization);
    await page.getByLabel('Your name').fill(user.name);
    await page.getByLabel('Work email').fill(user.email);
    await page.getByLabel(exactly('Password')).fill(user.password);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.getByText('No assets yet').waitFor();
    // An empty dashboard offers both ways in: one asset by hand, or a CSV.
    await page.getByRole('link', { name: 'Import a CSV' }).waitFor();
    await page.getByRole('link', { name: 'Add an asset' }).click();
    await page.getByRole('heading', { name: 'New asset', level: 1 }).waitFor();
    await nav('Assets');
    await page.getByText('No assets yet').waitFor();
    await assert.doesNotReject(page.getByText(user.organization).first().waitFor());
  });

  step('creates an asset', async () => {
    await page.getByRole('link', { name: 'New asset' }).click();
    await page.getByLabel(exactly('Name')).fill('MacBook Pro 14');
    await page.getByLabel('Serial number').fill('C02E2E0001');
    await page.getByLabel('Supplier').fill('Apple');
    await page.getByPlaceholder('0.00').fill('2499.00');
    await snap('asset-create');
    await page.getByRole('button', { name: 'Create asset' }).click();
    await page.getByRole('heading', { name: 'MacBook Pro 14', level: 1 }).waitFor();
    story.assetUrl = page.url();
    story.tag = (await page.locator('.page-header__subtitle').first().textContent()).trim();
    assert.match(story.tag, /^[A-Z0-9]+-\d+$/);
    await page.getByText('Nobody holds this asset.').waitFor();
  });

  step('creates an employee', async () => {
    await nav('Employees');
    await page.getByRole('link', { name: 'New employee' }).click();
    await page.getByLabel(exactly('Name')).fill('Grace Hopper');
    await page.getByLabel('Work email').fill('grace@umbrella.test');
    await page.getByLabel('Job title').fill('Rear Admiral');
    await page.getByRole('button', { name: 'Add employee' }).click();
    await page.getByRole('heading', { name: 'Grace Hopper', level: 1 }).waitFor();
    await page.getByText('Assets held (0)').waitFor();
  });

  step('checks the asset out to the employee', async () => {
    await nav('Assets');
    await page.getByRole('link', { name: story.tag }).click();
    await page.getByRole('button', { name: 'Check out' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: 'Employee' }).fill('Grace');
    await page.getByRole('option', { name: /Grace Hopper/ }).click();
    await dialog.getByLabel('Note').fill('For the conference');
    await dialog.getByRole('button', { name: 'Check out' }).click();
    await toast('Checked out to Grace Hopper');
    await page.locator('.holder').getByRole('link', { name: 'Grace Hopper' }).waitFor();
    await page.getByText('Checked out to Grace Hopper').first().waitFor();
    await snap('asset-detail');
  });

  step('shows the asset on the employee page', async () => {
    await page.locator('.holder').getByRole('link', { name: 'Grace Hopper' }).click();
    await page.getByText('Assets held (1)').waitFor();
    await page.getByRole('link', { name: story.tag }).waitFor();
    await snap('employee-detail');
  });

  step('checks the asset back in', async () => {
    await page.getByRole('link', { name: story.tag }).click();
    await page.getByRole('button', { name: 'Check in' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Check in' }).click();
    await toast(`${story.tag} checked in`);
    await page.getByText('Nobody holds this asset.').waitFor();
    await page.locator('.page-header').getByText('In stock').waitFor();
  });

  step('edits the asset and changes its status', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Order number').fill('PO-2026-17');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await toast(`${story.tag} saved`);
    await page.getByText('PO-2026-17', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Change status' }).click();
    await page.getByRole('menuitem', { name: 'In repair' }).click();
    await toast('Status set to In repair');
    await page.locator('.page-header').getByText('In repair').waitFor();
  });

  step('prints a QR label', async () => {
    await page.getByRole('link', { name: 'Label' }).click();
    await page.getByRole('img', { name: `QR code for ${story.tag}` }).waitFor();
    await snap('asset-label');
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(screenshotDir, 'asset-label.print.png') });
    assert.equal(await page.locator('.shell__bar').isVisible(), false, 'the app bar is not printed');
    assert.equal(await page.locator('.label').isVisible(), true, 'the label is printed');
    await page.emulateMedia({ media: 'screen' });
  });

  step('imports assets from CSV, and a second import creates nothing twice', async () => {
    await nav('Assets');
    await page.getByRole('link', { name: 'Import CSV' }).click();
    const csv = [
      'tag,name,serial_number,status,purchase_date,cost,currency,supplier,order_number,warranty_end,notes',
      'MON-0001,Dell U2723QE,CN0ABC1,in_stock,2026-02-01,579.00,USD,Dell,PO-1,2029-02-01,',
      ',iPhone 16,F2LXYZ1,,2026-03-10,999.00,USD,Apple,,,"Spare, for on-call"',
      ',Broken row,,sold,,abc,USD,,,,',
    ].join('\n');
    const file = { name: 'assets.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) };
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByText('needs fixing in the file').waitFor();
    await page.getByRole('button', { name: 'Import 2 assets' }).click();
    await page.getByTestId('import-result').getByText('2 assets created.').waitFor();
    await snap('asset-import');

    // The same file again: the server replays its first answers, nothing new is created.
    await page.getByTestId('import-file').setInputFiles({ ...file, name: 'assets-again.csv' });
    await page.getByRole('button', { name: 'Import 2 assets' }).click();
    await page
      .getByTestId('import-result')
      .getByText('0 assets created, 2 already imported before (not created again).')
      .waitFor();
    await nav('Assets');
    await page.getByText('Showing 3 assets (all)').waitFor();
    assert.equal(await page.locator('.p-datatable-mask').isVisible(), false, 'no loading mask over the rows shown');
    await page.getByRole('link', { name: 'MON-0001' }).waitFor();
  });

  step('checks several assets in bulk and reports the ones that fail', async () => {
    await page.getByRole('row', { name: /MON-0001/ }).getByRole('checkbox').check();
    await page.getByRole('row', { name: /iPhone 16/ }).getByRole('checkbox').check();
    await page.getByRole('row', { name: new RegExp(story.tag) }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Change status' }).click();
    await page.getByRole('menuitem', { name: 'In transit' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('3 of 3 done').waitFor();
    // The MacBook is in repair, and repair → in transit is not a lifecycle step.
    await dialog.getByText('2 done, 1 failed').waitFor();
    await dialog.getByRole('list', { name: 'Failed assets' }).getByText(story.tag).waitFor();
    await snap('asset-bulk');
    await dialog.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByRole('row', { name: /MON-0001/ }).getByText('In transit').count(), 1);
  });

  step('shows the dashboard', async () => {
    await nav('Dashboard');
    const numbers = page.getByRole('region', { name: 'Key numbers' });
    await numbers.getByRole('button', { name: /Assets\s*3/ }).waitFor();
    await numbers.getByRole('button', { name: /In stock\s*0/ }).waitFor();
    await page.locator('canvas').first().waitFor();
    assert.equal(await page.locator('canvas').count(), 2);
    await page.getByText('In transit 2;').waitFor({ state: 'attached' });
    await snap('dashboard');
    await numbers.getByRole('button', { name: /Assigned/ }).click();
    await page.getByRole('heading', { name: 'Assets', level: 1 }).waitFor();
    await page.getByText('No assets match these filters').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText('Showing 3 assets (all)').waitFor();
  });

  step('shows the entries in the audit log and verifies the chain', async () => {
    await nav('Audit log');
    await page.getByTestId('chain-status').getByText(/Chain intact/).waitFor();
    await page.getByText('Asset checked out').first().waitFor();
    await page.getByText('Asset checked in').first().waitFor();
    await choose('Action', 'Asset checked out');
    await page.getByText('Showing 1 entry (all)').waitFor();
    await snap('audit-log');
  });

  step('manages the catalog', async () => {
    await nav('Catalog');
    await page.getByRole('button', { name: 'New category' }).click();
    await page.getByRole('dialog').getByLabel(exactly('Name')).fill('Laptops');
    await page.getByRole('dialog').getByLabel('Depreciation (months)').fill('36');
    await page.getByRole('button', { name: 'Add category' }).click();
    await page.getByRole('cell', { name: '36 months' }).waitFor();
    await page.getByRole('link', { name: 'Locations' }).click();
    await page.getByRole('button', { name: 'New location' }).click();
    await page.getByRole('dialog').getByLabel(exactly('Name')).fill('Berlin HQ');
    await page.getByRole('dialog').getByLabel('Country').fill('de');
    await page.getByRole('button', { name: 'Add location' }).click();
    await page.getByRole('cell', { name: 'DE', exact: true }).waitFor();
    await snap('catalog');
  });

  step('edits an employee: field errors from the server, a change made meanwhile, then a save', async () => {
    await nav('Employees');
    await page.getByRole('link', { name: 'Grace Hopper' }).click();
    await page.getByRole('heading', { name: 'Grace Hopper', level: 1 }).waitFor();
    const employeeId = new URL(page.url()).pathname.split('/').at(-1);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit Grace Hopper', level: 1 }).waitFor();

    // The server checks the email and says so on the field.
    await page.getByLabel('Work email').fill('not-an-email');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Enter a valid email address.').waitFor();
    await page.getByLabel('Work email').fill('grace@umbrella.test');

    // Someone else changes her meanwhile: the open form says so before saving, and reloads.
    await page.getByLabel('Job title').fill('Commodore');
    const changed = await fetch(`${env.baseUrl}/api/v1/employees/${employeeId}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${await accessToken()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ employee_number: 'E-1906' }),
    });
    assert.equal(changed.status, 200);
    await page.getByText('Someone else just changed this employee').waitFor();
    await snap('employee-edit-conflict');
    await page.getByRole('button', { name: 'Reload' }).click();
    await page.getByText('Someone else just changed this employee').waitFor({ state: 'detached' });
    assert.equal(await page.getByLabel('Employee number').inputValue(), 'E-1906');
    assert.equal(await page.getByLabel('Job title').inputValue(), 'Rear Admiral', 'unsaved edits are dropped');

    await page.getByLabel('Job title').fill('Commodore');
    await choose('Location', 'Berlin HQ');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await toast('Grace Hopper saved');
    await page.getByRole('heading', { name: 'Grace Hopper', level: 1 }).waitFor();
    const details = page.locator('.field-list');
    await details.getByText('Commodore').waitFor();
    await details.getByText('Berlin HQ').waitFor();
    await details.getByText('E-1906').waitFor();
  });

  step('connects BambooHR (the simulator) and tests the connection', async () => {
    await nav('Integrations');
    await page.getByText('No integrations yet').waitFor();
    await page.getByRole('link', { name: 'Connect a system' }).click();
    await page.getByRole('heading', { name: 'Connect a system', level: 1 }).waitFor();
    await page.getByLabel(exactly('Company subdomain')).fill(sandbox.subdomain);
    await page.getByLabel(exactly('API base URL')).fill(sandbox.bamboohrBaseUrl);
    await page.getByLabel(exactly('API key')).fill(sandbox.apiKey);
    await snap('integration-create');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await toast('BambooHR connected');
    await page.getByRole('heading', { name: 'BambooHR', level: 1 }).waitFor();
    story.integrationUrl = page.url();
    const credentials = page.getByRole('list', { name: 'Credentials' });
    await credentials.getByRole('listitem').filter({ hasText: 'API key' }).getByText('set', { exact: true }).waitFor();
    assert.equal(await page.getByText(sandbox.apiKey).count(), 0, 'a credential is never shown');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByTestId('test-result').getByText('Connection works.').waitFor();
    await page.locator('.page-header').getByText('Active').waitFor();
  });

  step('syncs now and shows the progress live, then the finished run', async () => {
    // Everything the progress panel says, as it says it (it changes faster than a poll).
    await page.evaluate(() => {
      window.__syncSeen = [];
      const record = () => {
        const panel = document.querySelector('[data-testid="sync-progress"]');
        if (!panel) return;
        const bar = panel.querySelector('[role="progressbar"]');
        const seen = `${panel.querySelector('p')?.textContent?.trim()} | ${bar?.getAttribute('aria-valuenow') ?? '-'}`;
        if (window.__syncSeen.at(-1) !== seen) window.__syncSeen.push(seen);
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByTestId('sync-progress').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sync now' }).isDisabled(), true, 'one sync at a time');
    await page
      .getByTestId('sync-progress')
      .getByText(`Sync succeeded: ${HR_PEOPLE} processed`)
      .waitFor({ timeout: SYNC_TIMEOUT });
    const seen = await page.evaluate(() => window.__syncSeen);
    assert.ok(seen.some((line) => line.startsWith('Queued')), `queued first: ${seen.join(' / ')}`);
    assert.ok(
      seen.some((line) => line.startsWith(`Syncing: 500 of ${HR_PEOPLE} processed | 42`)),
      `a partial step with its bar: ${seen.join(' / ')}`,
    );
    await page.getByTestId('sync-progress').getByText(`${HR_PEOPLE} created`).waitFor();

    const run = page.getByRole('table').filter({ hasText: 'Unchanged' }).locator('tbody tr').first();
    await run.getByText('Succeeded').waitFor();
    await run.getByRole('cell', { name: String(HR_PEOPLE), exact: true }).waitFor();
    assert.match(await run.textContent(), /Sync now/);
    await snap('integration-detail');
  });

  step('shows the synced people among the employees, and the integration’s last sync', async () => {
    await nav('Employees');
    await page.getByText('Showing 50 employees').waitFor();
    await page.getByRole('button', { name: 'Load more' }).waitFor();
    await page.getByLabel('Search').fill('E00001');
    await page.getByText('Showing 1 employee (all)').waitFor();
    await page.getByRole('cell', { name: /\.1@acme\.example\.com$/ }).waitFor();
    await page.getByLabel('Search').fill('');
    await page.getByText('Showing 50 employees').waitFor();

    await nav('Integrations');
    await page.getByText(`${HR_PEOPLE} created · 0 updated · 0 failed`).waitFor();
    await snap('integrations');
  });

  step('prepares onboarding: a laptop in stock, and an account for a synced manager', async () => {
    const category = await callApi('POST', '/api/v1/categories', { name: 'Laptop' });
    const laptop = await callApi('POST', '/api/v1/assets', { name: 'ThinkPad X1 Carbon', category_id: category.id });
    assert.equal(laptop.status, 'in_stock');
    story.laptopTag = laptop.tag;
    // BambooHR person 2 manages the new hires (their supervisorEId): give them an account.
    const [boss] = (await callApi('GET', '/api/v1/employees?q=E00002')).data;
    Object.assign(manager, { email: boss.email, name: boss.name });
    await callApi('POST', '/api/v1/users', { name: boss.name, email: boss.email, role: 'manager', password: manager.password });
  });

  step('hires two people in BambooHR and syncs: each gets an onboarding waiting for the manager', async () => {
    const startDate = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    for (const hire of Object.values(hires)) {
      const hired = await fetch(`${sandbox.url}/_control/bamboohr/${sandbox.subdomain}/employees`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...hire, hireDate: startDate, supervisorEId: '2', jobTitle: 'Engineer' }),
      });
      assert.equal(hired.status, 201, await hired.text());
    }
    await page.goto(story.integrationUrl);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .getByTestId('sync-progress')
      .getByText(`Sync succeeded: ${HR_PEOPLE + 2} processed`)
      .waitFor({ timeout: SYNC_TIMEOUT });

    await nav('Workflows');
    const table = page.getByRole('table').filter({ hasText: 'Started by' });
    for (const hire of Object.values(hires)) {
      const row = table.getByRole('row', { name: new RegExp(nameOf(hire)) });
      await row.getByText('Manager approves the equipment').waitFor();
      await row.getByText('HR system').waitFor();
    }
    await snap('workflows');
    await table.getByRole('link', { name: nameOf(hires.approved) }).click();
    await page.getByRole('heading', { name: `Onboarding: ${nameOf(hires.approved)}`, level: 1 }).waitFor();
    await workflowStep('Manager approves the equipment').getByText(manager.name).waitFor();
    assert.equal(await workflowStep('Reserve a laptop').getAttribute('data-status'), 'pending');
    await snap('workflow-detail-waiting');
  });

  step('the manager approves one hire and rejects the other from their inbox; the open workflow follows live', async () => {
    // This screen stays open (no reload) while the manager decides in another browser.
    await page.evaluate(() => {
      window.__stillOpen = true;
    });
    const other = await env.newContext();
    try {
      const managerPage = await newPage(other);
      await managerPage.goto('/');
      await signIn(managerPage, manager);
      const menu = managerPage.getByRole('navigation', { name: 'Main' });
      await menu.getByRole('link', { name: 'Approvals 2 waiting' }).click();
      await managerPage.getByRole('heading', { name: 'Approvals', level: 1 }).waitFor();
      await managerPage.screenshot({ path: join(screenshotDir, 'approvals.laptop.png'), fullPage: true });

      await managerPage.getByRole('button', { name: `Approve for ${nameOf(hires.approved)}` }).click();
      const dialog = managerPage.getByRole('dialog');
      await dialog.getByLabel('Note').fill('Welcome aboard');
      await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
      await toast(`Approved for ${nameOf(hires.approved)}`, managerPage);
      await menu.getByRole('link', { name: 'Approvals 1 waiting' }).waitFor();

      // The admin's open workflow shows the approval and the laptop reserved, without a reload.
      const reserve = workflowStep('Reserve a laptop');
      await page.locator('[data-testid="workflow-step"][aria-label="Reserve a laptop"][data-status="done"]').waitFor();
      await reserve.getByText(`Reserved ${story.laptopTag}`).waitFor();
      await workflowStep('Manager approves the equipment').getByText('Welcome aboard').waitFor();
      await workflowStep('Ship the laptop').getByRole('button', { name: 'Complete' }).waitFor();
      assert.equal(await page.evaluate(() => window.__stillOpen), true, 'the detail was not reloaded');

      // A rejection needs its reason.
      await managerPage.getByRole('button', { name: `Reject for ${nameOf(hires.rejected)}` }).click();
      await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
      await dialog.getByText('Say why, so the requester knows.').waitFor();
      await dialog.getByLabel('Reason').fill('The position was cancelled');
      await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
      await managerPage.getByText('Nothing waiting for you').waitFor();
      assert.equal(await menu.getByTestId('nav-badge').count(), 0);
    } finally {
      await other.close();
    }
  });

  step('completes shipping and the hand-over: the laptop is the new hire’s', async () => {
    await workflowStep('Ship the laptop').getByRole('button', { name: 'Complete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Tracking number or note').fill('Tracking 1Z999AA10123456784');
    await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
    await toast('Done: Ship the laptop');
    await workflowStep('Hand over (check out)').getByRole('button', { name: 'Complete' }).click();
    await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
    await page.getByTestId('workflow-status').getByText('Completed').waitFor();
    await workflowStep('Ship the laptop').getByText('Tracking 1Z999AA10123456784').waitFor();
    await snap('workflow-detail-completed');

    await workflowStep('Hand over (check out)').getByRole('link', { name: story.laptopTag }).click();
    await page.getByRole('heading', { name: 'ThinkPad X1 Carbon', level: 1 }).waitFor();
    await page.locator('.holder').getByRole('link', { name: nameOf(hires.approved) }).waitFor();
    await page.locator('.page-header').getByText('Assigned').waitFor();
  });

  step('shows the rejected onboarding with its reason', async () => {
    await nav('Workflows');
    await choose('Status', 'Rejected');
    await page.getByRole('link', { name: nameOf(hires.rejected) }).click();
    await page.getByTestId('workflow-status').getByText('Rejected').waitFor();
    await page.getByTestId('rejection').getByText('The position was cancelled').waitFor();
    assert.equal(await workflowStep('Reserve a laptop').getAttribute('data-status'), 'skipped');
    assert.equal(await page.getByRole('button', { name: 'Complete' }).count(), 0);

    // The template those onboardings came from (the built-in one, not edited yet).
    await page.getByRole('link', { name: 'Workflows' }).first().click();
    await page.getByRole('link', { name: 'Templates' }).click();
    const onboarding = page.getByRole('form', { name: 'Onboarding template' });
    await onboarding.getByText('The built-in template, not edited yet.').waitFor();
    assert.equal(await onboarding.getByRole('group').count(), 4);
    await snap('workflow-templates');
  });

  step('an owner keeps device-management syncs from adding devices nobody recorded', async () => {
    await nav('Settings');
    await page.getByRole('heading', { name: 'Organization' }).waitFor();
    const createsAssets = page.getByRole('switch', { name: 'Create assets for unknown devices from the MDM' });
    assert.equal(await createsAssets.isChecked(), true, 'on by default');
    await createsAssets.click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await toast('Organization saved');
    await page.reload();
    await page.getByRole('heading', { name: 'Organization' }).waitFor();
    await page.getByRole('switch', { name: 'Create assets for unknown devices from the MDM' }).waitFor();
    assert.equal(await createsAssets.isChecked(), false, 'saved');
  });

  step('connects Jamf Pro (the simulator) and syncs: the Mac checked out to someone else opens a discrepancy', async () => {
    // Jamf computer 1 (serial JMF000000001) is used by BambooHR person 1, but here it is Grace's.
    const [grace] = (await callApi('GET', '/api/v1/employees?q=grace%40umbrella.test')).data;
    const mac = await callApi('POST', '/api/v1/assets', {
      name: 'MacBook Pro 16',
      serial_number: 'JMF000000001',
      purchase_date: new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10),
      cost: { amount: '3600.00', currency: 'USD' },
    });
    await callApi('POST', `/api/v1/assets/${mac.id}/checkout`, { employee_id: grace.id });
    story.macTag = mac.tag;

    await nav('Integrations');
    await page.getByRole('link', { name: 'Connect a system' }).click();
    await choose('System', 'Jamf Pro');
    await page.getByLabel(exactly('Jamf Pro URL')).fill(`${sandbox.url}/jamf`);
    await page.getByLabel(exactly('API client ID')).fill('sandbox-jamf-client');
    await page.getByLabel(exactly('API client secret')).fill('sandbox-jamf-secret');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await toast('Jamf Pro connected');
    await page.getByRole('heading', { name: 'Jamf Pro', level: 1 }).waitFor();
    await page.getByText('Jamf Pro · Device management').waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByTestId('test-result').getByText('Connection works.').waitFor();

    await page.getByRole('button', { name: 'Sync now' }).click();
    const progress = page.getByTestId('sync-progress');
    await progress.getByText('Sync succeeded: 200 processed').waitFor({ timeout: SYNC_TIMEOUT });
    // One computer is ours; the other 199 are unknown, and left out as the setting says.
    await progress.getByText('1 updated').waitFor();
    await progress.getByText('199 ignored').waitFor();
    await progress.getByText('1 discrepancy opened').waitFor();
    await page.getByTestId('run-details').first().getByText('199 ignored · 1 discrepancy opened').waitFor();
    await snap('integration-mdm');
  });

  step('lists the discrepancy with its count in the menu, shows the device, and dismisses it', async () => {
    const menu = page.getByRole('navigation', { name: 'Main' });
    await menu.getByRole('link', { name: 'Discrepancies 1 open' }).click();
    await page.getByRole('heading', { name: 'Discrepancies', level: 1 }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(story.macTag) });
    await row.getByText(`${story.macTag} is checked out to Grace Hopper`, { exact: false }).waitFor();
    await row.getByText('grace@umbrella.test', { exact: true }).waitFor();
    await snap('discrepancies');

    // The asset shows what the MDM reports, and what it is worth now.
    await row.getByRole('link', { name: story.macTag }).click();
    await page.getByRole('heading', { name: 'MacBook Pro 16', level: 1 }).waitFor();
    const device = page.getByTestId('asset-device');
    await device.getByText(/^macOS /).waitFor();
    await device.getByText(/\.1@acme\.example\.com$/).waitFor();
    await device.getByText('Not the holder').waitFor();
    await device.getByRole('link', { name: 'Jamf Pro' }).waitFor();
    const purchase = page.getByTestId('asset-purchase');
    await purchase.getByText('$3,600.00').waitFor();
    const bookValue = (await page.getByTestId('book-value').textContent()).trim();
    assert.match(bookValue, /^\$[\d,]+\.\d{2}$/, `a book value: ${bookValue}`);
    assert.notEqual(bookValue, '$3,600.00', 'a year on, it is worth less');
    await snap('asset-detail-device');

    await menu.getByRole('link', { name: /^Discrepancies/ }).click();
    await page.getByRole('button', { name: `Dismiss for ${story.macTag}` }).click();
    await toast(`Dismissed for ${story.macTag}`);
    await page.getByText('No open discrepancies').waitFor();
    assert.equal(await menu.getByTestId('nav-badge').count(), 0);
    await choose('Status', 'Dismissed');
    await page.getByRole('row', { name: new RegExp(story.macTag) }).getByText('Dismissed').waitFor();
  });

  step('downloads the depreciation schedule as a CSV file', async () => {
    await nav('Assets');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download depreciation schedule (CSV)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^depreciation-schedule-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    assert.match(csv, /^asset_tag,asset_name,serial_number,/);
    assert.ok(csv.includes(`${story.macTag},MacBook Pro 16,JMF000000001,`), 'the Mac has its schedule');
  });

  step('creates an API token and shows its secret once', async () => {
    await nav('Settings');
    await page.getByRole('heading', { name: 'Organization' }).waitFor();
    await snap('settings-organization');
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('dialog').getByLabel(exactly('Name')).fill('Jamf sync');
    await page.getByRole('button', { name: 'Create token', exact: true }).last().click();
    const secret = await page.getByTestId('token-secret').inputValue();
    assert.ok(secret.length >= 20, 'the secret is shown');
    await snap('settings-token-created');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('cell', { name: /Jamf sync/ }).waitFor();
    // The token works against the API.
    const me = await fetch(`${env.baseUrl}/api/v1/assets?limit=1`, { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(me.status, 200);
    await page.getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('cell', { name: new RegExp(user.email.replace(/[+.]/g, '\\$&')) }).waitFor();
    await snap('settings-users');
  });

  step('adds a user with the viewer role', async () => {
    await page.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(exactly('Name')).fill('Vera Viewer');
    await dialog.getByLabel(exactly('Email')).fill(viewer.email);
    await choose('Role', 'Viewer', dialog);
    await dialog.getByLabel(exactly('Initial password')).fill(viewer.password);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await toast('Vera Viewer added as Viewer');
    await page.getByRole('cell', { name: /Vera Viewer/ }).waitFor();
  });

  step('shows a change made by one user live to another, and who is online', async () => {
    const other = await env.newContext();
    try {
      const viewerPage = await newPage(other);
      await viewerPage.goto('/');
      await signIn(viewerPage, viewer);
      await nav('Assets', viewerPage);
      const monitorRow = viewerPage.getByRole('row', { name: /MON-0001/ });
      await monitorRow.getByText('In transit').waitFor();

      // Both are online, and each sees the other.
      await page.getByRole('button', { name: 'Who is online: 2 people online' }).waitFor();
      await viewerPage.getByRole('button', { name: 'Who is online: 2 people online' }).click();
      const online = viewerPage.getByRole('list', { name: 'People online' });
      await online.getByText(user.name).waitFor();
      await online.getByText('Vera Viewer').waitFor();
      await online.getByText('(you)').waitFor();
      await viewerPage.screenshot({ path: join(screenshotDir, 'presence.laptop.png') });
      await viewerPage.keyboard.press('Escape');

      // The owner receives the monitor; the viewer's open list follows without a reload.
      await nav('Assets');
      await page.getByRole('link', { name: 'MON-0001' }).click();
      await page.getByRole('button', { name: 'Change status' }).click();
      await page.getByRole('menuitem', { name: 'In stock' }).click();
      await toast('Status set to In stock');
      await monitorRow.getByText('In stock').waitFor();
      assert.equal(await monitorRow.getByText('In transit').count(), 0);

      // An asset the owner adds appears on top of the viewer's newest-first list, live.
      const viewerCount = viewerPage.locator('.list-footer__count');
      const before = Number((await viewerCount.textContent()).match(/Showing (\d+)/)[1]);
      await nav('Assets');
      await page.getByRole('link', { name: 'New asset' }).click();
      await page.getByLabel(exactly('Name')).fill('USB-C Dock');
      await page.getByRole('button', { name: 'Create asset' }).click();
      await page.getByRole('heading', { name: 'USB-C Dock', level: 1 }).waitFor();
      await viewerPage.locator('[aria-labelledby="assets-title"] tbody tr').first().getByText('USB-C Dock').waitFor();
      await viewerCount.filter({ hasText: `Showing ${before + 1} assets` }).waitFor();
      assert.equal(await viewerPage.getByTestId('live-notice').count(), 0, 'shown in place, not announced');

      await other.close();
      await page.getByRole('button', { name: 'Who is online: 1 person online' }).waitFor();
    } finally {
      await other.close().catch(() => undefined);
    }
  });

  step('logs out and back in', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await snap('login');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel(exactly('Password')).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await nav('Assets');
    await page.getByRole('link', { name: story.tag }).waitFor();
    await snap('assets-list');
  });

  step('gives a viewer a read-only app', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Email').fill(viewer.email);
    await page.getByLabel(exactly('Password')).fill(viewer.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await nav('Assets');
    await page.getByRole('link', { name: story.tag }).waitFor();
    const menu = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await menu.getByRole('link', { name: 'Audit log' }).count(), 0);
    assert.equal(await menu.getByRole('link', { name: 'Integrations' }).count(), 0);
    assert.equal(await menu.getByRole('link', { name: /^Discrepancies/ }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'New asset' }).count(), 0);
    assert.equal(await page.getByRole('checkbox').count(), 0, 'no bulk selection');
    await page.getByRole('link', { name: story.tag }).click();
    await page.getByRole('heading', { name: 'MacBook Pro 14', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Edit' }).count(), 0);
    // Typing an address the menu does not offer: the server refuses, the screen says so.
    await page.goto('/settings/api-tokens');
    await page.getByText("You don't have permission to do that.").waitFor();
    await page.goto('/audit');
    await page.getByText('Only admins and owners can read the audit log.').waitFor();
    await snap('viewer-audit');
  });

  step('opens the GraphQL explorer, served by the server itself under a strict policy', async () => {
    const explorer = await env.context.newPage();
    const foreign = [];
    const refused = [];
    explorer.on('request', (request) => {
      if (!request.url().startsWith(env.baseUrl) && !request.url().startsWith('data:')) foreign.push(request.url());
    });
    explorer.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    await explorer.goto(`${env.baseUrl}/api/graphiql`);
    await explorer.locator('.graphiql-container').waitFor({ timeout: TIMEOUT });
    // The signed-in session fills in the Authorization header.
    await explorer.getByText('Headers', { exact: true }).click();
    await explorer.getByText(/"Authorization": "Bearer /).first().waitFor({ timeout: TIMEOUT });
    assert.deepEqual(foreign, [], 'nothing is loaded from another origin');
    assert.deepEqual(refused, [], 'nothing is refused by the Content-Security-Policy');
    await explorer.close();
  });
});
