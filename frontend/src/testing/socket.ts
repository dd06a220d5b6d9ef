import { vi } from 'vitest';

/** A Phoenix V2 JSON frame: `[join_ref, ref, topic, event, payload]`. */
export type Frame = [string | null, string | null, string, string, Record<string, unknown>];

/**
 * Just enough of a Phoenix server behind a fake `WebSocket`: it accepts joins (or refuses
 * the topics in `refuse`), answers leaves, records what the client sent, and lets a test
 * push server frames with `deliver`.
 */
export class FakeServerSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  /** The socket the client opened last. */
  static last: FakeServerSocket | null = null;
  /** Topics whose join is refused as `unauthorized`. */
  static refuse = new Set<string>();
  readyState = 0;
  binaryType = 'arraybuffer';
  sent: Frame[] = [];
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;

  constructor(readonly url: string) {
    FakeServerSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.();
    }, 0);
  }

  send(data: string): void {
    const frame = JSON.parse(data) as Frame;
    this.sent.push(frame);
    const [joinRef, ref, topic, event] = frame;
    if (event === 'phx_join') {
      const refused = FakeServerSocket.refuse.has(topic);
      this.deliver([
        joinRef,
        ref,
        topic,
        'phx_reply',
        refused ? { status: 'error', response: { reason: 'unauthorized' } } : { status: 'ok', response: {} },
      ]);
    }
    if (event === 'phx_leave') this.deliver([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} }]);
  }

  /** Server → client frame. */
  deliver(frame: Frame): void {
    setTimeout(() => this.onmessage?.({ data: JSON.stringify(frame) }), 0);
  }

  /** Pushes `event` on `topic` as the server does for a joined channel (with its join_ref). */
  push(topic: string, event: string, payload: Record<string, unknown>): void {
    this.deliver([this.joinRefOf(topic), null, topic, event, payload]);
  }

  /** The join_ref of the client's latest join of `topic`. */
  joinRefOf(topic: string): string | null {
    const joins = this.sent.filter(([, , t, event]) => t === topic && event === 'phx_join');
    return joins.at(-1)?.[0] ?? null;
  }

  hasJoined(topic: string): boolean {
    return this.sent.some(([, , t, event]) => t === topic && event === 'phx_join');
  }

  hasLeft(topic: string): boolean {
    return this.sent.some(([, , t, event]) => t === topic && event === 'phx_leave');
  }

  close(): void {
    this.readyState = 3;
  }
}

/** Installs a fresh fake server as the global `WebSocket` (undone by `unstubGlobals`). */
export function fakePhoenixServer(): typeof FakeServerSocket {
  FakeServerSocket.last = null;
  FakeServerSocket.refuse = new Set();
  vi.stubGlobal('WebSocket', FakeServerSocket);
  return FakeServerSocket;
}
