import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP fault proxy for tests (in the spirit of Shopify/toxiproxy and the Jepsen "set" workload, notes/
 * reliability-security §4): listens on 127.0.0.1 (port 0) and forwards to a target, deciding a fault for every
 * HTTP/1.1 exchange. An exchange starts with the first client bytes after the previous response began, so a
 * keep-alive connection gets a fresh decision per request (node's agent never pipelines).
 *
 * Faults:
 * - pass: forward both ways.
 * - reset: RST the client as soon as the request starts; the target never sees it.
 * - drop-response: forward the request, and when the target's answer starts (it has acted on the request,
 *   e.g. committed a capture), RST the client instead of delivering it.
 * - blackhole: swallow the request and never answer; the client must time out.
 * - latency: delay every chunk of the exchange, both ways, by `ms`.
 * Partitions: while partitioned, every connection (open or new) is reset.
 */
export type Fault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'drop-response' }
  | { readonly kind: 'blackhole' }
  | { readonly kind: 'latency'; readonly ms: number };

export type FaultKind = Fault['kind'];

export interface ExchangeInfo {
  /** 1-based connection number. */
  readonly connection: number;
  /** 1-based exchange number over the proxy's life. */
  readonly exchange: number;
  /** The request line when it is in the first chunk, e.g. `POST /capture HTTP/1.1`. */
  readonly requestLine: string;
}

export interface FaultProxyStats {
  readonly connections: number;
  readonly exchanges: number;
  readonly refused: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
}

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  setPlan(plan: (info: ExchangeInfo) => Fault): void;
  /** Resets every connection now and every new one until `heal()` (or for `ms`, if given). */
  partition(ms?: number): void;
  heal(): void;
  /** Called at the start of every exchange, after its fault is decided. Returns an unsubscribe function. */
  onExchange(listener: (info: ExchangeInfo, fault: Fault) => void): () => void;
  stats(): FaultProxyStats;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  readonly target: { readonly host: string; readonly port: number };
  readonly plan?: (info: ExchangeInfo) => Fault;
}

const PASS: Fault = { kind: 'pass' };

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let plan = options.plan ?? (() => PASS);
  let partitioned = false;
  let healTimer: NodeJS.Timeout | undefined;
  let connections = 0;
  let exchanges = 0;
  let refused = 0;
  const faults: Record<FaultKind, number> = { pass: 0, reset: 0, 'drop-response': 0, blackhole: 0, latency: 0 };
  const listeners = new Set<(info: ExchangeInfo, fault: Fault) => void>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => { sockets.delete(s); });
    s.on('error', () => { /* a reset or refused peer is part of the test; the close handler cleans up */ });
  };
  const kill = (s: Socket | undefined): void => {
    if (s === undefined || s.destroyed) return;
    if (typeof s.resetAndDestroy === 'function' && s.readyState !== 'opening') s.resetAndDestroy(); else s.destroy();
  };

  const server: Server = createServer((client) => {
    track(client);
    if (partitioned) { refused += 1; kill(client); return; }
    connections += 1;
    const connection = connections;
    let upstream: Socket | undefined;
    let fault: Fault = PASS;
    let inResponse = true; // the next client bytes start an exchange
    let blackholed = false;

    const later = (fn: () => void): void => {
      if (fault.kind !== 'latency') { fn(); return; }
      const t = setTimeout(() => { timers.delete(t); fn(); }, fault.ms);
      timers.add(t);
    };
    const openUpstream = (): Socket => {
      const up = createConnection({ host: options.target.host, port: options.target.port });
      track(up);
      up.on('data', (chunk: Buffer) => {
        inResponse = true;
        if (fault.kind === 'drop-response') { kill(client); kill(up); return; }
        later(() => { if (!client.destroyed) client.write(chunk); });
      });
      up.on('close', () => { later(() => { if (!client.destroyed) client.end(); }); });
      up.on('error', () => { kill(client); });
      return up;
    };

    client.on('data', (chunk: Buffer) => {
      if (blackholed) return;
      if (inResponse) {
        inResponse = false;
        exchanges += 1;
        const nl = chunk.indexOf('\r\n');
        const info: ExchangeInfo = { connection, exchange: exchanges, requestLine: chunk.toString('latin1', 0, nl > 0 ? Math.min(nl, 200) : Math.min(chunk.length, 200)) };
        fault = plan(info);
        faults[fault.kind] += 1;
        for (const l of listeners) l(info, fault);
        if (fault.kind === 'reset') { kill(client); kill(upstream); return; }
        if (fault.kind === 'blackhole') { blackholed = true; return; }
      }
      upstream ??= openUpstream();
      const up = upstream;
      later(() => { if (!up.destroyed) up.write(chunk); });
    });
    client.on('close', () => { kill(upstream); });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy has no TCP address');
  const port = address.port;

  return {
    host: '127.0.0.1',
    port,
    url: `http://127.0.0.1:${port}`,
    setPlan(next) { plan = next; },
    partition(ms) {
      partitioned = true;
      for (const s of [...sockets]) kill(s);
      if (healTimer) clearTimeout(healTimer);
      healTimer = undefined;
      if (ms !== undefined) {
        healTimer = setTimeout(() => { partitioned = false; healTimer = undefined; }, ms);
      }
    },
    heal() {
      partitioned = false;
      if (healTimer) clearTimeout(healTimer);
      healTimer = undefined;
    },
    onExchange(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    stats: () => ({ connections, exchanges, refused, faults: { ...faults } }),
    async close() {
      if (healTimer) clearTimeout(healTimer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
      for (const s of [...sockets]) s.destroy();
      await closed;
    },
  };
}
