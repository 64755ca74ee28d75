import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { PUSH_PROTOCOL, PUSH_TOPICS, SESSION_COOKIE, SESSION_HEADER, SESSION_SUBPROTOCOL_PREFIX, type PushMessage, type PushTopic } from './contract.ts';
import { ApiError } from './errors.ts';
import type { ApiLogger } from './logger.ts';
import { guardRequest, parseCookies, type GuardConfig } from './request-guard.ts';

/** A push message before the hub numbers it for a connection. */
export type Outgoing = PushMessage extends infer M ? M extends { seq: number } ? Omit<M, 'seq'> : never : never;

const TOPIC_OF: Readonly<Record<PushMessage['type'], PushTopic | null>> = {
  hello: null, status: 'status', batch: 'batch', alarm: 'alarm', reject: 'reject', sync: 'sync', import: 'import', session: 'session', capture: 'capture',
};


/** A client that stops reading (a frozen window) is cut off past this much unsent data instead of growing edge's heap. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Client {
  topics: Set<PushTopic>;
  seq: number;
  readonly sessionId: string | null;
}

/**
 * The WebSocket side of /api/ws. The upgrade is checked exactly like a request (Host, Origin, token); a refused
 * upgrade gets a plain HTTP status and the socket is closed. Each connection starts subscribed to every topic and
 * may narrow them with `{type:'subscribe', topics}`. Messages are numbered per connection (`seq`), so a client
 * sees a gap if it ever lost one. Sending never throws into the caller; a failed client is dropped.
 */
export class PushHub {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, handleProtocols: (protocols) => (protocols.has(PUSH_PROTOCOL) ? PUSH_PROTOCOL : false) });
  readonly #clients = new Map<WebSocket, Client>();
  readonly #guard: () => GuardConfig;
  readonly #logger: ApiLogger;

  constructor(guard: () => GuardConfig, logger: ApiLogger) {
    this.#guard = guard;
    this.#logger = logger;
  }

  get size(): number {
    return this.#clients.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      guardRequest(req.headers, this.#guard());
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 400;
      const code = error instanceof ApiError ? error.code : 'BAD_REQUEST';
      this.#logger.warn('api.ws.refused', { code });
      socket.end(`HTTP/1.1 ${status} ${code}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const headerSession = req.headers[SESSION_HEADER];
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const protocolSession = offered.find((p) => p.startsWith(SESSION_SUBPROTOCOL_PREFIX))?.slice(SESSION_SUBPROTOCOL_PREFIX.length);
    const sessionId = (Array.isArray(headerSession) ? headerSession[0] : headerSession) ?? protocolSession ?? parseCookies(req.headers.cookie).get(SESSION_COOKIE) ?? null;
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { topics: new Set(PUSH_TOPICS), seq: 0, sessionId };
      this.#clients.set(ws, client);
      ws.on('message', (data, isBinary) => { this.#command(ws, client, isBinary ? null : data.toString()); });
      ws.on('close', () => { this.#clients.delete(ws); });
      ws.on('error', (error) => { this.#logger.debug('api.ws.error', { error: error.message }); this.#clients.delete(ws); });
      this.#send(ws, client, { type: 'hello', at: new Date().toISOString(), topics: [...client.topics] });
    });
  }

  /** Sends to every client subscribed to the message's topic (or to one session's clients only). */
  publish(message: Outgoing, onlySession?: string): void {
    const topic = TOPIC_OF[message.type];
    for (const [ws, client] of this.#clients) {
      if (onlySession !== undefined && client.sessionId !== onlySession) continue;
      if (topic !== null && !client.topics.has(topic)) continue;
      this.#send(ws, client, message);
    }
  }

  async close(): Promise<void> {
    for (const ws of this.#clients.keys()) ws.terminate();
    this.#clients.clear();
    await new Promise<void>((resolve) => { this.#wss.close(() => { resolve(); }); });
  }

  #send(ws: WebSocket, client: Client, message: Outgoing): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#logger.warn('api.ws.slow-client-dropped', { bufferedBytes: ws.bufferedAmount });
      ws.terminate();
      this.#clients.delete(ws);
      return;
    }
    client.seq += 1;
    ws.send(JSON.stringify({ ...message, seq: client.seq }));
  }

  #command(ws: WebSocket, client: Client, text: string | null): void {
    let parsed: unknown = null;
    try { parsed = text === null ? null : JSON.parse(text); } catch { parsed = null; }
    const cmd = parsed as { type?: unknown; topics?: unknown } | null;
    if (cmd?.type === 'subscribe' && Array.isArray(cmd.topics) && cmd.topics.every((t) => (PUSH_TOPICS as readonly unknown[]).includes(t))) {
      client.topics = new Set(cmd.topics as PushTopic[]);
      return;
    }
    // An unknown command is a client bug: close with 1008 (policy violation) and say why.
    ws.close(1008, 'bad command: expected {"type":"subscribe","topics":[...]}');
  }
}
