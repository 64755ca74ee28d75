import type { ClientSession, ClientSubscription, OPCUAClient } from 'node-opcua';
import type { Disposable } from '../contract.ts';

/**
 * node-opcua takes ≈ 0.6–1.3 s to load and opens a `process.stdin` handle on its first load: only a station with an
 * OPC UA device pays for it, in `OpcuaSession.open`. Callers use the module through `session.ua`.
 */
export type OpcuaModule = typeof import('node-opcua');

export interface OpcuaSessionOptions {
  /** e.g. `opc.tcp://192.168.0.10:4840`. */
  readonly url: string;
  /** The client's application name, as the server logs it (`wuma-station`, `wuma-edge-printer` …). */
  readonly applicationName: string;
  /**
   * Absent: one connection attempt, and a lost connection stays lost (`onLost` fires; the caller closes and opens
   * again). Present: after the first connect node-opcua retries for as long as the session is open, waiting
   * `initialDelayMs` doubling up to `maxDelayMs`, and repairs the session and its subscriptions (`onRestored`).
   */
  readonly reconnect?: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** Bound on the polite part of `close()` (terminate subscriptions, close the session), in ms; default 2000. */
  readonly closeTimeoutMs?: number;
}

/**
 * One OPC UA client connection and session (SecurityPolicy None [?]: a plant would configure Basic256Sha256 with
 * certificates — not yet wired), shared by the printer, reader and PLC drivers. The session times out on the
 * server after 60 s without the keep-alive the client sends.
 */
export class OpcuaSession {
  readonly ua: OpcuaModule;
  readonly session: ClientSession;
  readonly #client: OPCUAClient;
  readonly #closeTimeoutMs: number;
  readonly #subscriptions: ClientSubscription[] = [];
  #closing: Promise<void> | null = null;

  private constructor(ua: OpcuaModule, client: OPCUAClient, session: ClientSession, closeTimeoutMs: number) {
    this.ua = ua;
    this.#client = client;
    this.session = session;
    this.#closeTimeoutMs = closeTimeoutMs;
  }

  /** Connects and creates the session; on failure the client is disconnected and node-opcua's error is thrown. */
  static async open(options: OpcuaSessionOptions): Promise<OpcuaSession> {
    const ua = await import('node-opcua');
    const reconnect = options.reconnect;
    const client = ua.OPCUAClient.create({
      applicationName: options.applicationName,
      endpointMustExist: false,
      securityMode: ua.MessageSecurityMode.None,
      securityPolicy: ua.SecurityPolicy.None,
      connectionStrategy: reconnect === undefined
        ? { maxRetry: 0, initialDelay: 100, maxDelay: 500 }
        : { maxRetry: 1, initialDelay: reconnect.initialDelayMs, maxDelay: reconnect.maxDelayMs },
      requestedSessionTimeout: 60_000,
      keepSessionAlive: true,
    });
    try {
      await client.connect(options.url);
      // After the first connect, keep retrying for as long as the session is open.
      if (reconnect !== undefined) (client as unknown as { connectionStrategy: { maxRetry: number } }).connectionStrategy.maxRetry = -1;
      const session = await client.createSession();
      return new OpcuaSession(ua, client, session, options.closeTimeoutMs ?? 2_000);
    } catch (error) {
      await client.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** True while node-opcua is repairing a lost connection (requests wait for the link). */
  get reconnecting(): boolean {
    return this.#client.isReconnecting;
  }

  /** The connection broke (node-opcua `connection_lost`); fires before any reconnect attempt. */
  onLost(listener: () => void): Disposable {
    this.#client.on('connection_lost', listener);
    return { dispose: () => { this.#client.off('connection_lost', listener); } };
  }

  /** The connection and the session were repaired (node-opcua `connection_reestablished`; only with `reconnect`). */
  onRestored(listener: () => void): Disposable {
    this.#client.on('connection_reestablished', listener);
    return { dispose: () => { this.#client.off('connection_reestablished', listener); } };
  }

  /** Hands a subscription to the session: `close()` terminates it before the session. */
  keep<S extends ClientSubscription>(subscription: S): S {
    this.#subscriptions.push(subscription);
    return subscription;
  }

  /**
   * Idempotent. Stops the listeners, then ends the subscriptions and the session politely — which needs the
   * server: while node-opcua is reconnecting its requests wait for the link, so that part is skipped, and otherwise
   * it is bounded by `closeTimeoutMs`. `disconnect()` then ends any reconnect loop and the socket; a session not
   * closed is dropped by the server when its timeout expires.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const client = this.#client;
    client.removeAllListeners('connection_lost');
    client.removeAllListeners('connection_reestablished');
    if (!client.isReconnecting) {
      let timer: NodeJS.Timeout | undefined;
      const polite = (async () => {
        for (const sub of this.#subscriptions) await sub.terminate().catch(() => undefined);
        await this.session.close().catch(() => undefined);
      })();
      const bound = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.#closeTimeoutMs); });
      await Promise.race([polite, bound]);
      clearTimeout(timer);
    }
    await client.disconnect().catch(() => undefined);
  }
}
