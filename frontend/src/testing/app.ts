import { afterEach, beforeEach, vi } from 'vitest';
import { nextTick } from 'vue';
import { createAssetronicsApp } from '@/app';
import { SESSION_KEY } from '@/modules/auth/session-storage';
import { FakeServerSocket, fakePhoenixServer } from './socket';

/** A WebSocket that never connects, so the realtime client stays quiet in tests. */
export class SilentWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'arraybuffer';
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: (() => void) | null = null;
  constructor(readonly url: string) {}
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
}

/** Lets pending answers, timers of 0 ms and renders run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await nextTick();
  }
}

export const eventually = (check: () => void) => vi.waitFor(check, { timeout: 5000 });

/** Mounts the whole SPA (router, stores, UI kit) at `path` in the document. */
export async function startApp(path: string) {
  const root = document.createElement('div');
  document.body.append(root);
  const { app, router } = createAssetronicsApp();
  await router.push(path);
  await router.isReady();
  app.mount(root);
  await settle();
  return { root, router, unmount: () => app.unmount() };
}

/**
 * For a file of whole-app tests of a signed-in user: before each test a stored session and
 * a fresh fake Phoenix server (`server`, whose `last` socket the app opened); after each,
 * the app unmounted and the document and storage cleared. `open(path)` mounts the app.
 */
export function signedInApp() {
  let unmount: (() => void) | null = null;
  beforeEach(() => {
    localStorage.setItem(SESSION_KEY, JSON.stringify({ access_token: 'access-1', refresh_token: 'refresh-1' }));
    fakePhoenixServer();
  });
  afterEach(() => {
    unmount?.();
    unmount = null;
    document.body.innerHTML = '';
    localStorage.clear();
  });
  return {
    server: FakeServerSocket,
    async open(path: string) {
      const app = await startApp(path);
      unmount = app.unmount;
      return app;
    },
  };
}

/** Types `value` into an input as a user would (one `input` event). */
export function type(input: Element | null | undefined, value: string): void {
  if (!(input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement)) throw new Error('no input');
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

/** The input inside the form field labelled `label`. */
export function fieldInput(root: Element, label: string): HTMLInputElement | null {
  const field = [...root.querySelectorAll('.form-field')].find(
    (candidate) => candidate.querySelector('label')?.textContent?.replace(/\s*\*$/, '').trim() === label,
  );
  return field?.querySelector('input') ?? null;
}

/** The text of the form field labelled `label` (label, hint and error). */
export function fieldText(root: Element, label: string): string {
  return fieldInput(root, label)?.closest('.form-field')?.textContent ?? '';
}

export function submitForm(root: Element): void {
  root.querySelector('form')?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
}

export function button(root: Element, label: string): HTMLButtonElement | undefined {
  return [...root.querySelectorAll('button')].find((candidate) => candidate.textContent?.trim() === label);
}
