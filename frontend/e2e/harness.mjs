/**
 * What the end-to-end flows run against: the real server binary on a free port with a fresh
 * data directory, serving the built web app, and Debian's Chromium driven by playwright-core.
 * Nothing is built or downloaded here.
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
const browserBinary = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const spaDir = join(frontendDir, 'dist');

/**
 * Runs the server under a small shell that kills it when our end of its stdin closes — also
 * when this process dies without cleaning up (SIGKILL, a closed pipe), so no server is left
 * behind. The shell exits with the server, so an early crash is still noticed.
 */
const watchdog = [
  // Background jobs of a non-interactive shell read /dev/null; keep our stdin on fd 3.
  'exec 3<&0',
  '"$0" serve </dev/null 3<&- &',
  'child=$!',
  "trap 'kill -9 $child 2>/dev/null' EXIT INT TERM HUP",
  '( cat <&3 >/dev/null; kill -9 $child 2>/dev/null ) &',
  'wait $child',
].join('\n');

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
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode} before it was ready`);
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
  if (!existsSync(serverBinary)) {
    missing.push(
      `the server binary (${serverBinary}): run \`cd .. && CARGO_TARGET_DIR=${targetDir} cargo build -p assetronics\``,
    );
  }
  if (!existsSync(browserBinary)) missing.push(`Chromium (${browserBinary}): run \`apt-get install -y chromium\``);
  if (missing.length) throw new Error(`cannot run the end-to-end tests without:\n  - ${missing.join('\n  - ')}`);
}

/**
 * Starts the server and the browser. `stop()` always ends both and removes the temporary
 * directories; it is also registered for process exit, so a crash leaves no server behind.
 */
export async function startEnvironment() {
  checkPrerequisites();
  const scratch = await mkdtemp(join(tmpdir(), 'assetronics-e2e-'));
  const dataDir = join(scratch, 'data');
  const profileDir = join(scratch, 'chromium-profile');
  await mkdir(dataDir);
  await mkdir(profileDir);
  await mkdir(screenshotDir, { recursive: true });

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const serverLog = [];
  // A fresh SQLite database in the data dir, whatever DATABASE_URL the caller has set.
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const server = spawn('/bin/sh', ['-c', watchdog, serverBinary], {
    env: {
      ...inherited,
      ASSETRONICS_DATA_DIR: dataDir,
      ASSETRONICS_BIND: `127.0.0.1:${port}`,
      ASSETRONICS_SPA_DIR: spaDir,
      ASSETRONICS_LOG: process.env.ASSETRONICS_LOG ?? 'warn',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const keep = (chunk) => {
    serverLog.push(chunk.toString());
    if (serverLog.length > 400) serverLog.shift();
  };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  const killServer = () => {
    server.stdin.end();
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
  };
  // However the run ends (done, crash, Ctrl-C, kill), the server goes with it.
  const onSignal = (signal) => {
    killServer();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', killServer);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let context = null;
  const stop = async () => {
    await context?.close().catch(() => undefined);
    const exited = server.exitCode !== null || server.signalCode !== null
      ? Promise.resolve()
      : new Promise((done) => server.once('exit', done));
    killServer();
    await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))]);
    process.off('exit', killServer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  };

  try {
    await waitUntilReady(baseUrl, server);
    context = await chromium.launchPersistentContext(profileDir, {
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
      baseURL: baseUrl,
      viewport: { width: 1366, height: 768 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- server log ---\n${serverLog.join('')}`);
  }
  return { baseUrl, context, stop, serverLog: () => serverLog.join('') };
}
