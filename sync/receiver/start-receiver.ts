/**
 * The reference EPCIS 2.0 receiver: the REST capture subset of `gs1-epcis/REST-Bindings/openapi.yaml`
 * (EPCIS 2.0 §12) over node:http, for tests, demos and single-site use (DESIGN.md §7).
 *
 * - `OPTIONS /capture` → 204 with `GS1-EPCIS-Capture-Limit` (events) and `GS1-EPCIS-Capture-File-Size-Limit` (bytes)
 * - `POST /capture` (EPCISDocument / EPCISQueryDocument) → 202 + `Location: /capture/{id}`; 400 for a document
 *   that is not JSON or not an EPCIS envelope; 413 `CaptureLimitExceededException` over either limit
 * - `GET /capture/{id}` → the job (capture-job.ts documents the shape); 404 unknown
 * - `POST /events` (one event with `@context`) → 201 + Location; 409 when the eventID is stored with other
 *   content; an identical resend is 201 again (idempotent)
 * - `GET /events/{eventID}` (URL-encoded) → the stored event JSON
 * - `GET /events?…` → EPCISQueryDocument (SimpleEventQuery subset: EQ_bizStep, EQ_disposition, MATCH_epc,
 *   MATCH_anyEPC, MATCH_parentID, GE_eventTime, LT_eventTime, EQ_bizLocation, EQ_readPoint; perPage and
 *   nextPageToken with a `Link: <…>; rel="next"` header; event-query.ts). `EQ_epc` is kept as MATCH_anyEPC.
 * - `GET /epcs/{epc}` (URL-encoded) → the code's current state and hierarchy (storage-port.ts EpcState); 404 unknown
 * - `GET /conflicts` → `{ count, conflicts[] }` (detect-conflicts.ts: double commissioning, double parents,
 *   unknown codes, unknown codes shipped, clock skew), newest first, inner codes masked
 * - `GET /hq/overview` → sites with last capture and lag, event count, open conflicts (the HQ page's data)
 * - `GET /hq/` → the HQ page (hq-page.ts; its files need no token, its data does)
 *
 * Storage: SQLite at `dbPath` (one process) or PostgreSQL at `pg` (any number of receivers on one server); see
 * storage-port.ts. Capture jobs are in the database, so any receiver answers `GET /capture/{id}`.
 *
 * Auth: with a token, `Authorization: Bearer <token>` is required (401 without, 403 wrong). Errors are
 * RFC 7807 `application/problem+json`. Every response carries `GS1-EPCIS-Version` / `GS1-CBV-Version`; a
 * request asking for another major version gets 406.
 *
 * Jobs: by default the capture is validated and committed (one SQLite transaction) before 202 is sent, so a
 * 202 means the job is finished and durable. `processingDelayMs` > 0 defers processing to exercise clients'
 * polling of `running: true` jobs; a job still pending at `close()` is processed before the database closes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { SyncError } from '../errors.ts';
import { EPCIS_CONTEXT_URL } from '../epcis/capture-document.ts';
import { documentEvents, validateEnvelope, warmValidators } from '../epcis/validate.ts';
import type { CaptureErrorBehaviour, CaptureJobResult } from './capture-job.ts';
import { encodeToken, parseEventQuery, QueryParameterError } from './event-query.ts';
import { HQ_PAGE_CSP, hqPageFile } from './hq-page.ts';
import { PgReceiverStorage } from './pg-storage.ts';
import type { ReceiverStore } from './receiver-store.ts';
import { SqliteReceiverStorage } from './sqlite-storage.ts';
import type { ReceiverStorage } from './storage-port.ts';

export interface ReceiverLimits {
  /** Maximum events per capture (`GS1-EPCIS-Capture-Limit`). */
  readonly maxEvents: number;
  /** Maximum request body bytes (`GS1-EPCIS-Capture-File-Size-Limit`). */
  readonly maxBytes: number;
}

export const DEFAULT_RECEIVER_LIMITS: ReceiverLimits = { maxEvents: 10_000, maxBytes: 16 * 1024 * 1024 };

export interface ReceiverOptions {
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** SQLite database file (the embedded default). */
  readonly dbPath?: string;
  /** PostgreSQL URL (`postgres://…`): many receivers on one server. Exactly one of dbPath and pg. */
  readonly pg?: string;
  /** PostgreSQL pool size per receiver (default 8). */
  readonly pgPoolMax?: number;
  /** CLOCK_SKEW threshold (ms an event time may be ahead of the record time); default 5 minutes. */
  readonly clockSkewMs?: number;
  /** Bearer token; when absent the receiver is open (like OpenEPCIS CE). */
  readonly token?: string;
  readonly limits?: Partial<ReceiverLimits>;
  /** Defer job processing by this many ms (default 0 = process before answering 202). */
  readonly processingDelayMs?: number;
}

export interface RunningHqReceiver {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly storage: ReceiverStorage;
  close(): Promise<void>;
}

/** A receiver on SQLite: its synchronous store is at hand for tests. */
export interface RunningReceiver extends RunningHqReceiver {
  readonly store: ReceiverStore;
}

const VERSION_HEADERS = { 'GS1-EPCIS-Version': '2.0.0', 'GS1-CBV-Version': '2.0.0' } as const;
const JSON_TYPES = /^application\/(ld\+)?json\b/i;

class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly headers: Record<string, string>;
  constructor(status: number, type: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.headers = headers;
  }
}

function send(res: ServerResponse, status: number, body: string | null, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...VERSION_HEADERS, ...(body === null ? {} : { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }), ...headers });
  res.end(body ?? undefined);
}

function problem(res: ServerResponse, p: HttpProblem): void {
  const body = JSON.stringify({ type: p.type, title: p.message, status: p.status });
  res.writeHead(p.status, { ...VERSION_HEADERS, 'Content-Type': 'application/problem+json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...p.headers });
  res.end(body);
}

function readBody(req: IncomingMessage, maxBytes: number, limits: ReceiverLimits): Promise<string> {
  const tooLarge = (): HttpProblem => new HttpProblem(413, 'epcisException:CaptureLimitExceededException',
    `请求超过 ${maxBytes} 字节上限 (request exceeds the ${maxBytes}-byte limit)`, limitHeaders(limits));
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!over) resolve(Buffer.concat(chunks, size).toString('utf8')); });
    req.on('error', reject);
  });
}

function limitHeaders(limits: ReceiverLimits): Record<string, string> {
  return { 'GS1-EPCIS-Capture-Limit': String(limits.maxEvents), 'GS1-EPCIS-Capture-File-Size-Limit': String(limits.maxBytes) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(400, 'epcisException:ValidationException', `请求体不是有效的 JSON: ${(error as Error).message} (body is not valid JSON)`);
  }
}

/** Prefixes declared in a document's `@context` objects (needed to re-hash events with CURIE keys). */
function contextPrefixes(doc: Record<string, unknown>): Record<string, string> {
  const ctx = doc['@context'];
  const list = Array.isArray(ctx) ? ctx : [ctx];
  const out: Record<string, string> = {};
  for (const c of list) if (typeof c === 'object' && c !== null) for (const [k, v] of Object.entries(c)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function startReceiver(options: ReceiverOptions & { dbPath: string; pg?: undefined }): Promise<RunningReceiver>;
export function startReceiver(options: ReceiverOptions): Promise<RunningHqReceiver>;
export async function startReceiver(options: ReceiverOptions): Promise<RunningHqReceiver> {
  const limits: ReceiverLimits = { ...DEFAULT_RECEIVER_LIMITS, ...options.limits };
  const host = options.host ?? '127.0.0.1';
  if ((options.dbPath === undefined) === (options.pg === undefined)) {
    throw new SyncError('RECEIVER_STORAGE', '接收端需要 --db 或 --pg 之一 (the receiver needs exactly one of a SQLite file or a PostgreSQL URL)');
  }
  const skew = options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs };
  const store: ReceiverStorage = options.pg !== undefined
    ? await PgReceiverStorage.open(options.pg, { ...skew, ...(options.pgPoolMax === undefined ? {} : { max: options.pgPoolMax }) })
    : new SqliteReceiverStorage(options.dbPath ?? '', skew);
  warmValidators();
  const tokenBytes = options.token === undefined ? null : Buffer.from(`Bearer ${options.token}`);
  const pending = new Map<string, { timer: NodeJS.Timeout; run: () => Promise<void> }>();
  const delay = options.processingDelayMs ?? 0;

  function authorize(req: IncomingMessage): void {
    if (tokenBytes === null) return;
    const given = req.headers.authorization;
    if (given === undefined) {
      throw new HttpProblem(401, 'epcisException:UnauthorizedException', '缺少访问令牌 (missing bearer token)', { 'WWW-Authenticate': 'Bearer realm="epcis"' });
    }
    const g = Buffer.from(given);
    if (g.length !== tokenBytes.length || !timingSafeEqual(g, tokenBytes)) {
      throw new HttpProblem(403, 'epcisException:ForbiddenException', '访问令牌错误 (wrong bearer token)');
    }
  }

  function checkVersions(req: IncomingMessage): void {
    for (const name of ['gs1-epcis-version', 'gs1-cbv-version']) {
      const v = req.headers[name];
      if (typeof v === 'string' && v.length > 0 && !/^2(\.\d+)*$/.test(v.trim())) {
        throw new HttpProblem(406, 'epcisException:NotAcceptableException', `不支持的版本 ${name}: ${v} (unsupported version; this receiver speaks EPCIS/CBV 2.x)`);
      }
    }
  }

  function requireJson(req: IncomingMessage): void {
    const type = req.headers['content-type'];
    if (type === undefined || !JSON_TYPES.test(type)) {
      throw new HttpProblem(415, 'epcisException:UnsupportedMediaTypeException', `仅支持 application/json 或 application/ld+json，收到 ${type ?? '无'} (unsupported content type)`);
    }
  }

  async function runJob(captureID: string, createdAt: string, events: unknown[], behaviour: CaptureErrorBehaviour, prefixes: Record<string, string>): Promise<void> {
    // The finished job is written in the same transaction as its events: one commit (one fsync) per capture.
    await store.ingest(events, {
      behaviour, captureID, prefixes,
      job: (outcome): CaptureJobResult => ({
        captureID,
        createdAt,
        finishedAt: new Date().toISOString(),
        running: false,
        success: outcome.errors.length === 0,
        captureErrorBehaviour: behaviour,
        eventCount: events.length,
        storedCount: outcome.stored,
        duplicateCount: outcome.duplicates,
        rejectedCount: outcome.errors.length,
        errors: outcome.errors,
        conflicts: outcome.conflicts,
      }),
    });
  }

  async function capture(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requireJson(req);
    const text = await readBody(req, limits.maxBytes, limits);
    const doc = parseJson(text);
    const envelope = validateEnvelope(doc);
    if (!envelope.ok) {
      const detail = envelope.issues.slice(0, 5).map((i) => `${i.path || '/'} ${i.message}`).join('; ');
      throw new HttpProblem(400, 'epcisException:ValidationException', `不是有效的 EPCIS 2.0 文档: ${detail} (not a valid EPCIS 2.0 document)`);
    }
    const events = documentEvents(doc);
    if (events.length > limits.maxEvents) {
      throw new HttpProblem(413, 'epcisException:CaptureLimitExceededException', `事件数 ${events.length} 超过上限 ${limits.maxEvents} (too many events)`, limitHeaders(limits));
    }
    const header = req.headers['gs1-capture-error-behaviour'];
    const behaviour: CaptureErrorBehaviour = header === 'proceed' ? 'proceed' : 'rollback';
    if (header !== undefined && header !== 'proceed' && header !== 'rollback') {
      throw new HttpProblem(400, 'epcisException:ValidationException', `GS1-Capture-Error-Behaviour 只能是 rollback 或 proceed，收到 ${String(header)}`);
    }
    const captureID = randomUUID();
    const createdAt = new Date().toISOString();
    const prefixes = contextPrefixes(doc as Record<string, unknown>);
    if (delay <= 0) {
      await runJob(captureID, createdAt, events, behaviour, prefixes);
    } else {
      await store.saveJob({ captureID, createdAt, running: true, success: true, captureErrorBehaviour: behaviour, eventCount: events.length, storedCount: 0, duplicateCount: 0, rejectedCount: 0, errors: [], conflicts: [] });
      const run = (): Promise<void> => {
        pending.delete(captureID);
        // A deferred job that cannot be stored stays `running: true`; the sender's poll times out and it resends.
        return runJob(captureID, createdAt, events, behaviour, prefixes).catch((error: unknown) => { process.emitWarning(`采集任务失败 (deferred capture job failed): ${(error as Error).message}`); });
      };
      pending.set(captureID, { timer: setTimeout(() => { void run(); }, delay), run });
    }
    send(res, 202, null, { Location: `/capture/${captureID}`, 'Content-Length': 0 });
  }

  async function postEvent(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requireJson(req);
    const event = parseJson(await readBody(req, limits.maxBytes, limits));
    const prefixes = typeof event === 'object' && event !== null ? contextPrefixes(event as Record<string, unknown>) : {};
    // The stored body of a single event omits its own @context, like events captured inside a document.
    const outcome = await store.ingest([event], { behaviour: 'rollback', captureID: null, prefixes, mode: 'standalone' });
    const error = outcome.errors[0];
    if (error !== undefined) {
      const body = JSON.stringify({ type: error.type, title: error.title, status: error.status, detail: error.detail, eventID: error.eventID });
      res.writeHead(error.status, { ...VERSION_HEADERS, 'Content-Type': 'application/problem+json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const id = (event as Record<string, unknown>)['eventID'];
    const stored = typeof id === 'string' ? id : null;
    send(res, 201, null, { ...(stored === null ? {} : { Location: `/events/${encodeURIComponent(stored)}` }), 'Content-Length': 0 });
  }

  async function queryEvents(url: URL, res: ServerResponse): Promise<void> {
    let parsed;
    try {
      parsed = parseEventQuery(url.searchParams);
    } catch (error) {
      if (error instanceof QueryParameterError) throw new HttpProblem(400, 'epcisException:QueryParameterException', error.message);
      throw error;
    }
    const window = parsed.window ?? { after: 0, upTo: await store.queryBound() };
    const page = await store.queryEvents(parsed.query, window, parsed.perPage);
    const headers: Record<string, string> = {};
    if (page.lastId !== null) {
      const next = new URLSearchParams(url.searchParams);
      next.set('nextPageToken', encodeToken({ after: page.lastId, upTo: window.upTo }, parsed.digest));
      headers['Link'] = `</events?${next.toString()}>; rel="next"`;
    }
    send(res, 200, queryDocument(page.bodies), headers);
  }

  function queryDocument(bodies: readonly string[]): string {
    const head = JSON.stringify({ '@context': [EPCIS_CONTEXT_URL], type: 'EPCISQueryDocument', schemaVersion: '2.0', creationDate: new Date().toISOString() }).slice(0, -1);
    return `${head},"epcisBody":{"queryResults":{"queryName":"SimpleEventQuery","resultsBody":{"eventList":[${bodies.join(',')}]}}}}`;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    // The HQ page's files hold no data: served without the token (hq-page.ts); its data endpoints need it.
    if (method === 'GET' && path === '/hq') {
      send(res, 308, null, { Location: '/hq/', 'Content-Length': 0 });
      return;
    }
    const page = method === 'GET' ? hqPageFile(path) : undefined;
    if (page !== undefined) {
      res.writeHead(200, { 'Content-Type': page.contentType, 'Content-Length': Buffer.byteLength(page.body), 'Content-Security-Policy': HQ_PAGE_CSP, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
      res.end(page.body);
      return;
    }
    checkVersions(req);
    if (path === '/capture' && method === 'OPTIONS') {
      authorize(req);
      send(res, 204, null, { ...limitHeaders(limits), Allow: 'OPTIONS, POST', 'GS1-EPCIS-Min': '2.0.0', 'GS1-EPCIS-Max': '2.0.0', 'GS1-Capture-Error-Behaviour': 'rollback, proceed' });
      return;
    }
    authorize(req);
    if (path === '/capture') {
      if (method !== 'POST') throw new HttpProblem(405, 'epcisException:MethodNotAllowedException', `/capture 不支持 ${method} (method not allowed)`, { Allow: 'OPTIONS, POST' });
      await capture(req, res);
      return;
    }
    const job = /^\/capture\/([^/]+)$/.exec(path);
    if (job && method === 'GET') {
      const result = await store.job(decodeURIComponent(job[1] ?? ''));
      if (result === undefined) throw new HttpProblem(404, 'epcisException:NoSuchResourceException', '没有这个采集任务 (no such capture job)');
      send(res, 200, result);
      return;
    }
    if (path === '/events') {
      if (method === 'POST') {
        await postEvent(req, res);
        return;
      }
      if (method === 'GET') {
        await queryEvents(url, res);
        return;
      }
      throw new HttpProblem(405, 'epcisException:MethodNotAllowedException', `/events 不支持 ${method} (method not allowed)`, { Allow: 'GET, POST' });
    }
    const one = /^\/events\/(.+)$/.exec(path);
    if (one && method === 'GET') {
      const body = await store.event(decodeURIComponent(one[1] ?? ''));
      if (body === undefined) throw new HttpProblem(404, 'epcisException:NoSuchResourceException', '没有这个事件 (no such event)');
      send(res, 200, body);
      return;
    }
    const epc = /^\/epcs\/(.+)$/.exec(path);
    if (epc && method === 'GET') {
      const state = await store.epcState(decodeURIComponent(epc[1] ?? ''));
      if (state === null) throw new HttpProblem(404, 'epcisException:NoSuchResourceException', '总部没有这个码的事件 (no events for this code)');
      send(res, 200, JSON.stringify(state));
      return;
    }
    if (path === '/conflicts' && method === 'GET') {
      const conflicts = await store.conflicts(10_000);
      send(res, 200, JSON.stringify({ count: conflicts.length, conflicts }));
      return;
    }
    if (path === '/hq/overview' && method === 'GET') {
      const now = Date.now();
      const [sites, conflicts, events] = await Promise.all([store.sites(), store.conflicts(200), store.eventCount()]);
      send(res, 200, JSON.stringify({
        storage: store.kind, now, events,
        sites: sites.map((s) => ({ ...s, lagMs: Math.max(0, now - s.lastCaptureAt) })),
        conflicts,
      }));
      return;
    }
    throw new HttpProblem(404, 'epcisException:NoSuchResourceException', `没有这个资源 ${path} (no such resource)`);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) { res.destroy(); return; }
      if (error instanceof HttpProblem) {
        // The rest of an over-limit body is read and dropped so the client sees the 413, not a reset.
        if (error.status === 413) req.resume();
        problem(res, error);
        return;
      }
      const storage = error instanceof SyncError && error.code === 'RECEIVER_STORAGE';
      problem(res, new HttpProblem(500, storage ? 'epcisException:ImplementationException' : 'epcisException:ImplementationException', `接收端内部错误 (receiver error): ${(error as Error).message}`));
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    storage: store,
    ...(store instanceof SqliteReceiverStorage ? { store: store.store } : {}),
    async close() {
      if (closed) return;
      closed = true;
      for (const [, p] of pending) { clearTimeout(p.timer); await p.run(); }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        for (const s of sockets) s.destroy();
      });
      await store.close();
    },
  };
}
