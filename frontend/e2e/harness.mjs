/**
 * What the end-to-end flows run against: the real server binary on a free port with a fresh
 * data directory, serving the built web app; the vendor simulator (`assetronics-sandbox`) on
 * another free port; and Debian's Chromium driven by playwright-core, one isolated browser
 * context per signed-in user. Nothing is built or downloaded here.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const frontendDir = resolve(here, '..');
export const screenshotDir = join(frontendDir, 'test-results', 'screenshots');

const targetDir = process.env.CARGO_TARGET_DIR || '/var/tmp/assetronics-target';
const serverBinary = process.env.ASSETRONICS_BIN || join(targetDir, 'debug', 'assetronics');
const sandboxBinary = process.env.ASSETRONICS_SANDBOX_BIN || join(targetDir, 'debug', 'assetronics-sandbox');
const browserBinary = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const spaDir = join(frontendDir, 'dist');

/** Every context gets the same laptop-sized, English, UTC browser. */
const contextOptions = { viewport: { width: 1366, height: 768 }, locale: 'en-US', timezoneId: 'UTC' };

/**
 * Runs a program under a small shell that kills it when our end of its stdin closes — also
 * when this process dies without cleaning up (SIGKILL, a closed pipe), so nothing is left
 * behind. The shell exits with the program, so an early crash is still noticed.
 */
const watchdog = [
  // Background jobs of a non-interactive shell read /dev/null; keep our stdin on fd 3.
  'exec 3<&0',
  '"$0" "$@" </dev/null 3<&- &',
  'child=$!',
  "trap 'kill -9 $child 2>/dev/null' EXIT INT TERM HUP",
  '( cat <&3 >/dev/null; kill -9 $child 2>/dev/null ) &',
  'wait $child',
].join('\n');

/**
 * Starts `binary args…` under the watchdog, keeps the tail of its output, and ends it
 * however this run ends (done, crash, Ctrl-C, kill). `stop()` waits for it to exit.
 */
function spawnGuarded(binary, args, env) {
  const child = spawn('/bin/sh', ['-c', watchdog, binary, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const output = [];
  const keep = (chunk) => {
    output.push(chunk.toString());
    if (output.length > 400) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const running = () => child.exitCode === null && child.signalCode === null;
  const kill = () => {
    child.stdin.end();
    if (running()) child.kill('SIGTERM');
  };
  const onSignal = (signal) => {
    kill();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', kill);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stop = async () => {
    const exited = running() ? new Promise((done) => child.once('exit', done)) : Promise.resolve();
    kill();
    await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))]);
    process.off('exit', kill);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  return { child, output: () => output.join(''), running, stop };
}

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

async function waitUntilReady(baseUrl, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.running()) throw new Error(`the server exited with ${server.child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server was not ready within ${timeoutMs / 1000}s`);
}

/** Checks what the run needs before starting anything, with a message saying how to get it. */
export function checkPrerequisites() {
  const missing = [];
  if (!existsSync(join(spaDir, 'index.html'))) missing.push(`the built web app (${spaDir}): run \`npm run build\``);
  for (const binary of [serverBinary, sandboxBinary]) {
    if (!existsSync(binary)) {
      missing.push(
        `${binary}: run \`cd .. && CARGO_TARGET_DIR=${targetDir} cargo build -p assetronics -p assetronics-integrations\``,
      );
    }
  }
  if (!existsSync(browserBinary)) missing.push(`Chromium (${browserBinary}): run \`apt-get install -y chromium\``);
  if (missing.length) throw new Error(`cannot run the end-to-end tests without:\n  - ${missing.join('\n  - ')}`);
}

/**
 * Starts the server and the browser with a first context. `newContext()` opens another
 * isolated one (its own storage: another signed-in user). `stop()` always ends the browser
 * and the server and removes the temporary directory.
 */
export async function startEnvironment() {
  checkPrerequisites();
  const scratch = await mkdtemp(join(tmpdir(), 'assetronics-e2e-'));
  const dataDir = join(scratch, 'data');
  await mkdir(dataDir);
  await mkdir(screenshotDir, { recursive: true });

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // A fresh SQLite database in the data dir, whatever DATABASE_URL the caller has set.
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const server = spawnGuarded(serverBinary, ['serve'], {
    ...inherited,
    ASSETRONICS_DATA_DIR: dataDir,
    ASSETRONICS_BIND: `127.0.0.1:${port}`,
    ASSETRONICS_SPA_DIR: spaDir,
    ASSETRONICS_LOG: process.env.ASSETRONICS_LOG ?? 'warn',
  });

  let browser = null;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await server.stop();
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  };

  let context;
  try {
    await waitUntilReady(baseUrl, server);
    browser = await chromium.launch({
      executablePath: browserBinary,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({ ...contextOptions, baseURL: baseUrl });
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- server log ---\n${server.output()}`);
  }
  const newContext = () => browser.newContext({ ...contextOptions, baseURL: baseUrl });
  return { baseUrl, context, newContext, stop, serverLog: server.output };
}

/**
 * Starts the vendor simulator with one BambooHR company of `employees` people, on a free
 * port, and resolves once it prints where it listens. `stop()` ends it.
 */
export async function startSandbox({ subdomain = 'acme', apiKey = 'sandbox-api-key', employees = 300 } = {}) {
  checkPrerequisites();
  const sandbox = spawnGuarded(
    sandboxBinary,
    [
      '--bind',
      '127.0.0.1:0',
      '--bamboohr-subdomain',
      subdomain,
      '--bamboohr-api-key',
      apiKey,
      '--bamboohr-employees',
      String(employees),
    ],
    { ...process.env },
  );
  const deadline = Date.now() + 30_000;
  let url = null;
  while (url === null) {
    url = /listening on (http:\/\/\S+)/.exec(sandbox.output())?.[1] ?? null;
    if (url !== null) break;
    if (!sandbox.running() || Date.now() > deadline) {
      await sandbox.stop();
      throw new Error(`the vendor simulator did not start\n--- its output ---\n${sandbox.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, bamboohrBaseUrl: `${url}/bamboohr`, subdomain, apiKey, employees, stop: sandbox.stop, log: sandbox.output };
}
