import type { CodeFeed } from './code-feed.ts';
import { openEmulatorTransport, type EmulatorEndpoint, type EmulatorTransport, type Session } from './emulator-transport.ts';

/**
 * Fault knobs (STYLE.md "Tests"). Counters apply to the next N read frames and count down; `delayMs` and
 * `splitBytes` apply to every frame.
 */
export interface ReaderFaults {
  /** Write every frame in pieces of this many bytes, 2 ms apart (0 = whole). */
  splitBytes: number;
  /** Drop the next N frames entirely. */
  dropFrames: number;
  /** Send only the first half of the next N frames (drop mid-frame). */
  truncateFrames: number;
  /** Delay every frame by this many ms. */
  delayMs: number;
  /** Ignore trigger commands (no ack, no result). */
  ignoreTriggers: boolean;
  /** Bytes sent before the next frame. */
  garbageBefore: Uint8Array | null;
  /** Send a frame of this many bytes (plus terminator) before the next frame. */
  oversizeBytes: number;
  /** Answer the next N triggers with a no-read whatever the feed says. */
  noReads: number;
}

export const NO_FAULTS: Readonly<ReaderFaults> = {
  splitBytes: 0, dropFrames: 0, truncateFrames: 0, delayMs: 0, ignoreTriggers: false, garbageBefore: null, oversizeBytes: 0, noReads: 0,
};

/** What a protocol gets to do when a command arrives. */
export interface ProtocolContext {
  reply(session: Session, bytes: Uint8Array): void;
  /** Takes the next feed entry (or a forced no-read) and sends it as a read to `session`. */
  sendRead(session: Session): void;
  /** Whether trigger commands are being ignored (fault). */
  readonly ignoringTriggers: boolean;
}

/** One vendor's device-side protocol: command parsing and output formatting, written from the manual. */
export interface EmulatorProtocol {
  readonly name: string;
  /** Bytes that end any frame this device sends (used for oversize frames). */
  readonly terminator: Uint8Array;
  /** Consumes input for one session; returns the commands found. Must keep its own buffer bounded. */
  feed(sessionId: number, chunk: Uint8Array): string[];
  handle(command: string, session: Session, ctx: ProtocolContext): void;
  /** The bytes of a read result (all codes of one trigger, or a no-read when `codes` is empty). */
  formatRead(codes: readonly string[]): Uint8Array;
  endSession(sessionId: number): void;
}

export type EmulatorLogEvent =
  | { readonly kind: 'command'; readonly session: number; readonly command: string }
  | { readonly kind: 'read'; readonly session: number; readonly codes: readonly string[] };

export interface ReaderEmulatorOptions {
  readonly endpoint: EmulatorEndpoint;
  readonly feed: CodeFeed;
  /** Time between a trigger and its result, ms (the camera's exposure + decode). */
  readonly readDelayMs?: number;
}

export class ReaderEmulator {
  readonly protocol: EmulatorProtocol;
  readonly faults: ReaderFaults = { ...NO_FAULTS };
  /** Commands received, in order (for tests and the CLI log). */
  readonly received: string[] = [];
  readonly #options: ReaderEmulatorOptions;
  #feed: CodeFeed;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #queues = new Map<number, Promise<void>>();
  readonly #logListeners = new Set<(event: EmulatorLogEvent) => void>();
  #transport: EmulatorTransport | null = null;
  #port: number | undefined;
  #triggers = 0;

  constructor(protocol: EmulatorProtocol, options: ReaderEmulatorOptions) {
    this.protocol = protocol;
    this.#options = options;
    this.#feed = options.feed;
  }

  /** Commands received and reads sent, for the emulator CLI's log. */
  onLog(listener: (event: EmulatorLogEvent) => void): { dispose(): void } {
    this.#logListeners.add(listener);
    return { dispose: () => { this.#logListeners.delete(listener); } };
  }

  /** Replaces what the camera sees from the next trigger on. */
  setFeed(feed: CodeFeed): void {
    this.#feed = feed;
  }

  /** Bound TCP port in listen mode. */
  get port(): number {
    if (this.#port === undefined) throw new Error('emulator is not listening on TCP');
    return this.#port;
  }

  get triggers(): number {
    return this.#triggers;
  }

  get sessionCount(): number {
    return this.#transport?.sessions.length ?? 0;
  }

  async start(): Promise<this> {
    const endpoint = this.#options.endpoint.kind === 'tcp-listen' && this.#port !== undefined
      ? { ...this.#options.endpoint, port: this.#port }
      : this.#options.endpoint;
    const ctx = this.#context();
    this.#transport = await openEmulatorTransport(endpoint, {
      onSession: () => { /* sessions are stateless until they send a command */ },
      onData: (session, chunk) => {
        for (const command of this.protocol.feed(session.id, chunk)) {
          if (this.received.length < 10_000) this.received.push(command);
          for (const l of this.#logListeners) l({ kind: 'command', session: session.id, command });
          this.protocol.handle(command, session, ctx);
        }
      },
      onSessionEnd: (session) => { this.protocol.endSession(session.id); },
    });
    this.#port ??= this.#transport.port;
    return this;
  }

  /** The reader's own trigger (photo-eye): sends the next read to every connected session. */
  fire(): void {
    for (const session of this.#transport?.sessions ?? []) this.#context().sendRead(session);
  }

  /** Power cycle: drops every connection, then listens again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const transport = this.#transport;
    this.#transport = null;
    await transport?.close();
  }

  #context(): ProtocolContext {
    const faults = this.faults;
    return {
      reply: (session, bytes) => { this.#send(session, bytes, false); },
      sendRead: (session) => {
        this.#triggers += 1;
        let codes = this.#feed.next();
        if (faults.noReads > 0) {
          faults.noReads -= 1;
          codes = [];
        }
        const bytes = this.protocol.formatRead(codes);
        for (const l of this.#logListeners) l({ kind: 'read', session: session.id, codes });
        const delayMs = this.#options.readDelayMs ?? 5;
        // 0: the frame leaves with the 'read' log (a timer, even of 0 ms, waits at least 1 ms in Node).
        if (delayMs <= 0) this.#send(session, bytes, true);
        else this.#later(delayMs, () => { this.#send(session, bytes, true); });
      },
      get ignoringTriggers() { return faults.ignoreTriggers; },
    };
  }

  /** Frame-level faults hit read results only (acks pass), so a test knows which frame it damaged. */
  #send(session: Session, frame: Uint8Array, isRead: boolean): void {
    const f = isRead ? this.faults : { ...this.faults, dropFrames: 0, truncateFrames: 0, garbageBefore: null, oversizeBytes: 0 };
    if (f.dropFrames > 0) {
      f.dropFrames -= 1;
      return;
    }
    let bytes = frame;
    if (f.truncateFrames > 0) {
      f.truncateFrames -= 1;
      bytes = frame.subarray(0, Math.floor(frame.length / 2));
    }
    const pre: Uint8Array[] = [];
    if (f.garbageBefore !== null) {
      pre.push(f.garbageBefore);
      f.garbageBefore = null;
    }
    if (f.oversizeBytes > 0) {
      pre.push(new Uint8Array(f.oversizeBytes).fill(0x58), this.protocol.terminator);
      f.oversizeBytes = 0;
    }
    const all = Buffer.concat([...pre, bytes]);
    const split = f.splitBytes;
    // Pieces of one frame must not interleave with the next frame: writes are chained per session.
    const write = async (): Promise<void> => {
      if (split <= 0) {
        if (!session.closed) session.write(all);
        return;
      }
      for (let offset = 0; offset < all.length && !session.closed; offset += split) {
        session.write(all.subarray(offset, offset + split));
        await new Promise<void>((resolve) => { this.#later(2, resolve); });
      }
    };
    const previous = this.#queues.get(session.id) ?? Promise.resolve();
    const delayed = f.delayMs > 0 ? previous.then(() => new Promise<void>((resolve) => { this.#later(f.delayMs, resolve); })) : previous;
    const done = delayed.then(write);
    this.#queues.set(session.id, done);
    void done.finally(() => { if (this.#queues.get(session.id) === done) this.#queues.delete(session.id); });
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.#timers.delete(t); fn(); }, ms);
    this.#timers.add(t);
  }
}
