import type { PushMessage } from '../../edge/api/contract.ts';
import type { PushConnection } from '../../edge/api/client.ts';
import { client } from './api.ts';

export type LiveState = 'connecting' | 'open' | 'closed';

/**
 * The WebSocket push feed (`/api/ws` through the API client), reconnecting with a capped back-off while the page
 * lives (edge restarts, the line PC sleeps). `close()` stops for good.
 */
export class LiveFeed {
  readonly #onMessage: (m: PushMessage) => void;
  readonly #onState: (s: LiveState) => void;
  #conn: PushConnection | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #delayMs = 500;
  #closed = false;

  constructor(onMessage: (m: PushMessage) => void, onState: (s: LiveState) => void) {
    this.#onMessage = onMessage;
    this.#onState = onState;
    this.#connect();
  }

  #connect(): void {
    if (this.#closed) return;
    this.#onState('connecting');
    const conn = client.connectPush({
      onMessage: (m) => { if (!this.#closed) this.#onMessage(m); },
      onClose: () => {
        if (this.#conn !== conn) return;
        this.#conn = null;
        if (this.#closed) return;
        this.#onState('closed');
        this.#timer = setTimeout(() => { this.#timer = null; this.#connect(); }, this.#delayMs);
        this.#delayMs = Math.min(this.#delayMs * 2, 5000);
      },
    });
    this.#conn = conn;
    conn.ready.then(() => { if (this.#conn === conn) { this.#delayMs = 500; this.#onState('open'); } }, () => undefined);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#conn?.close();
    this.#conn = null;
  }
}
