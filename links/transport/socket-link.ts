import type { Socket } from 'node:net';
import type { ByteLink } from '../contract.ts';
import { LinkOfflineError } from '../errors.ts';
import { LinkEvents } from './link-events.ts';
import { settleWrite } from './settle-write.ts';

/** What `dial` reports: the connected socket, or why there is none. */
export interface Dialled {
  /** Call from the socket's connect callback (synchronously, before any other event can reach it). */
  connected(socket: Socket, extra?: { readonly description?: string; readonly release?: () => Promise<void> }): void;
  failed(error: Error): void;
}

interface Attached {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  closedByUs: boolean;
  closeFired: boolean;
}

/**
 * A ByteLink over one connected TCP socket; subclasses say how the socket comes to be (`dial`). Nagle is off:
 * device frames are small and latency matters. The close error is the socket's last error, else — unless
 * `close()` was called — a LinkOfflineError saying the device closed the connection.
 */
export abstract class SocketLink extends LinkEvents implements ByteLink {
  /** What the far end is called in messages (`读码器`, `打印机`). */
  protected readonly peer: string;
  #description: string;
  #opening = false;
  #attached: Attached | null = null;

  protected constructor(description: string, peer: string | undefined) {
    super();
    this.#description = description;
    this.peer = peer ?? '设备';
  }

  get description(): string {
    return this.#description;
  }

  get isOpen(): boolean {
    return this.#attached !== null && !this.#attached.socket.destroyed;
  }

  /** Starts connecting and reports through `done` exactly once. */
  protected abstract dial(signal: AbortSignal | undefined, done: Dialled): void;

  open(signal?: AbortSignal): Promise<void> {
    if (this.#opening || this.#attached !== null) return Promise.reject(new LinkOfflineError(`连接已打开 (link already open: ${this.#description})`));
    this.#opening = true;
    return new Promise<void>((resolve, reject) => {
      this.dial(signal, {
        connected: (socket, extra) => {
          this.#opening = false;
          if (extra?.description !== undefined) this.#description = extra.description;
          this.#attach(socket, extra?.release);
          resolve();
        },
        failed: (error) => {
          this.#opening = false;
          reject(error);
        },
      });
    });
  }

  #attach(socket: Socket, release: (() => Promise<void>) | undefined): void {
    socket.setNoDelay(true);
    let failure: Error | undefined;
    let closed!: () => void;
    const attached: Attached = { socket, closed: new Promise<void>((r) => { closed = r; }), closedByUs: false, closeFired: false };
    this.#attached = attached;
    socket.on('error', (error) => { failure = error; });
    socket.on('data', (chunk: Buffer) => { this.emitData(chunk); });
    socket.once('close', () => {
      attached.closeFired = true;
      void (release?.() ?? Promise.resolve()).finally(() => {
        if (this.#attached === attached) this.#attached = null;
        this.emitClose(failure ?? (attached.closedByUs ? undefined : new LinkOfflineError(`${this.peer}断开连接: ${this.#description} (the device closed the connection)`)));
        closed();
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.#attached?.socket;
    if (!socket || socket.destroyed) return Promise.reject(new LinkOfflineError(`连接已断开 (link closed: ${this.#description})`));
    return settleWrite(this.#description, (done) => { socket.write(bytes, done); });
  }

  async close(): Promise<void> {
    const attached = this.#attached;
    if (attached === null) return;
    attached.closedByUs = true;
    if (!attached.closeFired) attached.socket.destroy();
    await attached.closed;
  }
}
