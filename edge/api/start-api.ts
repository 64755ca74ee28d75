import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import type { EpcisContext } from '../../sync/index.ts';
import type { Db } from '../store/open.ts';
import { StoreError } from '../store/errors.ts';
import { getUser, mayPerform, PERMISSIONS, ROLE_LABEL_ZH, type Action } from '../store/users.ts';
import packageJson from '../../package.json' with { type: 'json' };
import type { ApiDevice } from './api-device.ts';
import { buildOpenApi } from './build-openapi.ts';
import { CaptureSessions } from './capture-sessions.ts';
import { ChangeFeed } from './change-feed.ts';
import { SESSION_COOKIE, SESSION_HEADER, TOKEN_COOKIE, type ApiErrorBody } from './contract.ts';
import { ApiError, ApiStartError, apiCodeOfStore } from './errors.ts';
import { SILENT_API_LOGGER, type ApiLogger } from './logger.ts';
import { LoginThrottle } from './login-throttle.ts';
import { PushHub } from './push-hub.ts';
import { authorizeCaller, DEVICE_LINK_PARAM, deviceLinkResponse, isPdaStaticPath, PDA_OPERATIONS } from './pda-devices.ts';
import { checkHostAndOrigin, parseCookies, presentedToken, tokenMatches, type GuardConfig } from './request-guard.ts';
import { ROUTE_TABLE, type Route } from './route-table.ts';
import { SPECIAL, type ApiDeps, type FileResponse, type JsonResponse } from './route-types.ts';
import { SessionManager, type Session } from './session-manager.ts';
import type { StationLike } from './station-like.ts';
import { contentSecurityPolicy, readStaticFile } from './static-files.ts';
import { compileValidator } from './validate-input.ts';

export interface StartApiOptions {
  /** The station database (a Store or anything with its `db`). */
  readonly store: { readonly db: Db };
  /** The running station in this process; without it status comes from the database. */
  readonly station?: StationLike;
  /** Default 127.0.0.1. Anything but 127.0.0.1 / localhost needs `allowLan` AND `tls`. */
  readonly host?: string;
  /** Default 0 (any free port; read it from the returned url). */
  readonly port?: number;
  readonly allowLan?: boolean;
  /** PEM certificate and key: serve https + wss (required for a LAN address). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** The per-launch token; default 32 random bytes, base64url. */
  readonly token?: string;
  readonly logger?: ApiLogger;
  /** Idle logout, ms (default 15 min). */
  readonly idleTimeoutMs?: number;
  /** Wait after the first failed login for the same badge/user, doubling per failure up to the max (default 1 s, 30 s). */
  readonly loginBackoffMs?: number;
  readonly loginBackoffMaxMs?: number;
  /** EPCIS context of the station's events (rework writes events); without it rework answers 409. */
  readonly epcis?: EpcisContext;
  readonly devices?: readonly ApiDevice[];
  /** Directory of the web UI served at `/` (default desktop/renderer of this checkout); null = no UI. */
  readonly rendererDir?: string | null;
  /** How often to look for commits by other processes, ms (default 50). */
  readonly pollMs?: number;
  readonly uploadDir?: string;
  readonly maxUploadBytes?: number;
  /** CJK font for PDF reports (default edge/report's). */
  readonly reportFont?: string;
  /** The station's configured line, shown in the status when no station runs in this process (`wuma api --config`). */
  readonly line?: string;
}

export interface RunningApi {
  /** `http://127.0.0.1:PORT` (https for LAN mode). */
  readonly url: string;
  readonly wsUrl: string;
  /** Opening this in a browser sets the token cookie and redirects to the UI. Contains the token: never log it. */
  readonly loginUrl: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 1024 * 1024;
const DEFAULT_RENDERER = new URL('../../desktop/renderer/', import.meta.url).pathname;
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** Which host to bind and which Host names to accept; refuses a LAN bind without the flag and TLS. */
function bindPlan(options: StartApiOptions): { bind: string; hostnames: string[]; scheme: 'http' | 'https' } {
  const host = options.host ?? '127.0.0.1';
  if (LOOPBACK.has(host)) return { bind: '127.0.0.1', hostnames: ['127.0.0.1', 'localhost'], scheme: options.tls === undefined ? 'http' : 'https' };
  if (options.allowLan !== true || options.tls === undefined) {
    throw new ApiStartError('BIND_REFUSED', `拒绝监听 ${host}：本地 API 只监听 127.0.0.1；局域网地址需要同时给出 --allow-lan 和 TLS 证书/私钥 (refusing to bind ${host}: loopback only unless allowLan is set and a TLS cert/key are given)`);
  }
  if (host === '0.0.0.0' || host === '::' || isIP(host) === 0) {
    throw new ApiStartError('BIND_REFUSED', `局域网模式需要一个具体的 IP 地址，而不是 ${host} (LAN mode needs one concrete IP address, not ${host})`);
  }
  return { bind: host, hostnames: ['127.0.0.1', 'localhost', host], scheme: 'https' };
}

function errorBody(error: ApiError): ApiErrorBody {
  return { ok: false, code: error.code, message: error.message, ...(error.errors === undefined ? {} : { errors: error.errors }), ...(error.details === undefined ? {} : { details: error.details }) };
}

/** A store refusal as an API error; INVALID_INPUT messages carry `path: message` lines after the first. */
function fromStore(error: StoreError): ApiError {
  const code = apiCodeOfStore(error.code);
  if (code !== 'BAD_REQUEST') return new ApiError(code, error.message);
  const lines = error.message.split('\n');
  const errors = lines.slice(1).map((l) => /^\s*([^:\s]+):\s*(.*)$/.exec(l)).filter((m) => m !== null).map((m) => ({ path: m[1] ?? '', message: m[2] ?? '' }));
  const single = /^([\w.[\]]+):\s*(.*)$/.exec(lines[0] ?? '');
  return new ApiError('BAD_REQUEST', error.message, { errors: errors.length > 0 ? errors : single === null ? [] : [{ path: single[1] ?? '', message: single[2] ?? '' }] });
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Readonly<Record<string, string | string[]>>): void {
  if (res.headersSent) { res.end(); return; }
  res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Readonly<Record<string, string | string[]>> = {}): void {
  send(res, status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) throw new ApiError('TOO_LARGE', `请求体超过 ${MAX_JSON_BYTES} 字节 (request body larger than ${MAX_JSON_BYTES} bytes)`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', '请求体应为 JSON（Content-Type: application/json）(the body must be JSON)');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiError('BAD_REQUEST', '请求体不是有效的 JSON (the body is not valid JSON)', { errors: [{ path: '(根 root)', message: '不是有效的 JSON (not valid JSON)' }] });
  }
}

function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = v;
  return out;
}

function roleRefusal(session: Session, permission: Action): ApiError {
  const roles = PERMISSIONS[permission];
  return new ApiError('FORBIDDEN', `角色 ${ROLE_LABEL_ZH[session.user.role]} 无权执行此操作，需要: ${roles.map((r) => ROLE_LABEL_ZH[r]).join(' / ')} (role ${session.user.role} may not ${permission}; needs ${roles.join(' or ')})`, { details: { permission, roles } });
}

const UNAUTHORIZED_PAGE = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>wuma 五码</title>
<p>请从桌面程序打开，或使用启动时给出的链接（含令牌）。</p><p>(Open the UI from the desktop app, or with the link printed at launch, which carries the token.)</p></html>`;

/**
 * Starts the local API (issue 6 §1): HTTP(S) + WebSocket on 127.0.0.1. Every request passes, in order: Host and
 * Origin (403), the per-launch token (401), the user session for session routes (401), the role for routes with
 * a permission (403), then query and body validation (400 with field paths) — so a caller without the right learns
 * nothing about what a valid body would be. State changes are pushed on /api/ws.
 *
 * Token for browsers: opening `/?token=…` once sets an HttpOnly SameSite=Strict cookie and redirects to `/`; the
 * static UI and the API then accept the cookie. SameSite=Strict plus the Origin check stop cross-site requests.
 */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const plan = bindPlan(options);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ApiStartError('BAD_OPTIONS', `端口应为 0–65535，收到 ${port} (port must be 0–65535)`);
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (!/^[A-Za-z0-9_-]{32,256}$/.test(token)) throw new ApiStartError('BAD_OPTIONS', '令牌应为 32–256 个 base64url 字符 (token must be 32–256 base64url characters)');
  const logger = options.logger ?? SILENT_API_LOGGER;
  const db = options.store.db;
  const sessions = new SessionManager(options.idleTimeoutMs ?? 15 * 60_000);
  let guard: GuardConfig = { hostnames: plan.hostnames, port, scheme: plan.scheme, token };
  const hub = new PushHub(() => guard, logger);
  const feed = new ChangeFeed({ db, station: options.station, hub, logger, pollMs: options.pollMs ?? 50, syncEveryMs: 1000, line: options.line ?? null });
  const deps: ApiDeps = {
    db, station: options.station, sessions, feed, logger, captures: new CaptureSessions(), epcis: options.epcis, devices: options.devices ?? [],
    throttle: new LoginThrottle(options.loginBackoffMs ?? 1000, options.loginBackoffMaxMs ?? 30_000),
    uploadDir: options.uploadDir ?? tmpdir(), maxUploadBytes: options.maxUploadBytes ?? 2 * 1024 ** 3, reportFont: options.reportFont,
    urls: { local: '', lan: null },
  };
  const rendererDir = options.rendererDir === undefined ? DEFAULT_RENDERER : options.rendererDir;
  const openapi = JSON.stringify(buildOpenApi(ROUTE_TABLE, packageJson.version));
  const validators = new Map(ROUTE_TABLE.map((r) => [r.id, {
    body: r.body === undefined ? undefined : compileValidator<unknown>(r.body, 'body'),
    query: r.query === undefined ? undefined : compileValidator<unknown>(r.query, 'query'),
  }]));
  let csp = '';
  const baseHeaders = (): Record<string, string> => ({
    'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', 'content-security-policy': csp,
    'cross-origin-opener-policy': 'same-origin', 'cross-origin-resource-policy': 'same-origin',
  });

  const sessionFor = (req: IncomingMessage): Session => {
    const header = req.headers[SESSION_HEADER];
    const id = (Array.isArray(header) ? header[0] : header) ?? parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    const found = sessions.lookup(id);
    if (found.kind === 'ok') return found.session;
    if (found.kind === 'expired') throw new ApiError('SESSION_EXPIRED', '长时间未操作，已自动退出，请重新登录 (logged out after inactivity; log in again)');
    throw new ApiError('NO_SESSION', '请先登录：刷工卡或输入工号和 PIN (log in first: scan your badge or enter user id and PIN)');
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, headers: Record<string, string>): Promise<void> {
    checkHostAndOrigin(req.headers, guard);
    const candidates = ROUTE_TABLE.filter((r) => r.pattern.test(url.pathname));
    const route: Route | undefined = candidates.find((r) => r.descriptor.method === req.method);
    // The launch token opens every route; a paired PDA's device token only the PDA's (pda-devices.ts).
    authorizeCaller(db, req.headers, guard, route !== undefined && PDA_OPERATIONS.has(route.id));
    if (route === undefined) {
      throw new ApiError('NOT_FOUND', candidates.length > 0 ? `${url.pathname} 不支持 ${req.method ?? ''} (method not allowed)` : `没有这个接口 ${url.pathname} (no such endpoint)`);
    }
    if (route.id === 'openapi') { send(res, 200, openapi, { ...headers, 'content-type': 'application/json; charset=utf-8' }); return; }
    const d = route.descriptor;
    let session: Session | null = null;
    if (d.access === 'session') {
      session = sessionFor(req);
      if (d.mutating) {
        // Role and activity are read from the users table at each change: a deactivated user's session stops here.
        const user = getUser(db, session.user.id);
        if (user === null || !user.active) { sessions.end(session.id); throw new ApiError('FORBIDDEN', '该用户已停用，已退出 (this user is deactivated; logged out)'); }
      }
      if (d.permission !== null && !mayPerform(session.user.role, d.permission)) throw roleRefusal(session, d.permission);
    }
    const params: Record<string, string> = {};
    const match = route.pattern.exec(url.pathname);
    route.paramNames.forEach((name, i) => { params[name] = decodeURIComponent(match?.[i + 1] ?? ''); });
    const v = validators.get(route.id);
    let query: unknown;
    if (v?.query !== undefined) {
      const parsed = v.query(queryObject(url.searchParams));
      if (!parsed.ok) throw new ApiError('BAD_REQUEST', '查询参数有误 (invalid query parameters)', { errors: parsed.errors });
      query = parsed.value;
    } else if ([...url.searchParams.keys()].length > 0) {
      throw new ApiError('BAD_REQUEST', '此接口不接受查询参数 (this endpoint takes no query parameters)', { errors: [...url.searchParams.keys()].map((k) => ({ path: `query.${k}`, message: '未知参数 (unknown parameter)' })) });
    }
    let body: unknown;
    if (route.impl.upload !== true) {
      const raw = await readJsonBody(req);
      if (v?.body !== undefined) {
        const parsed = v.body(raw);
        if (!parsed.ok) throw new ApiError('BAD_REQUEST', '请求内容有误 (invalid request body)', { errors: parsed.errors });
        body = parsed.value;
      } else if (raw !== undefined && !(typeof raw === 'object' && raw !== null && Object.keys(raw).length === 0)) {
        throw new ApiError('BAD_REQUEST', '此接口不接受请求体 (this endpoint takes no body)', { errors: [{ path: '(根 root)', message: '应为空 (must be empty)' }] });
      }
    }
    const result = await route.impl.handle(deps, { session, params, query: query as never, body: body as never, req });
    const special = (result as { [SPECIAL]?: 'file' | 'json' } | null)?.[SPECIAL];
    if (special === 'file') {
      const f = result as FileResponse;
      send(res, 200, f.data, { ...headers, 'content-type': f.contentType, 'content-disposition': `attachment; filename="${f.fileName}"` });
    } else if (special === 'json') {
      const j = result as JsonResponse<unknown>;
      sendJson(res, 200, j.body, { ...headers, ...j.headers });
    } else {
      sendJson(res, 200, result, headers);
    }
    if (d.mutating) logger.info('api.request', { method: req.method, route: route.id, status: 200, userId: session?.user.id ?? null });
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL, headers: Record<string, string>): Promise<void> {
    checkHostAndOrigin(req.headers, guard);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError('NOT_FOUND', '只支持 GET (only GET)');
    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (!tokenMatches(offered, token)) throw new ApiError('UNAUTHORIZED', '链接中的令牌不正确或已过期（每次启动都会更换）(the link carries a wrong or old token; it changes at every launch)');
      const secure = plan.scheme === 'https' ? '; Secure' : '';
      send(res, 303, '', { ...headers, location: url.pathname, 'set-cookie': `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure}` });
      return;
    }
    const offeredDevice = url.searchParams.get(DEVICE_LINK_PARAM);
    if (offeredDevice !== null && isPdaStaticPath(url.pathname)) {
      // The pairing link a PDA scanned from the IT screen: its device token becomes a cookie, then off the address bar.
      const link = deviceLinkResponse(db, offeredDevice, url.pathname, plan.scheme === 'https');
      send(res, 303, '', { ...headers, location: link.location, 'set-cookie': link.cookie });
      return;
    }
    let allowed = tokenMatches(presentedToken(req.headers), token);
    if (!allowed && isPdaStaticPath(url.pathname)) {
      try { allowed = authorizeCaller(db, req.headers, guard, true).kind === 'device'; } catch { allowed = false; }
    }
    if (!allowed) {
      send(res, 401, UNAUTHORIZED_PAGE, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      return;
    }
    const file = rendererDir === null ? { kind: 'missing' as const } : await readStaticFile(rendererDir, url.pathname);
    if (file.kind === 'missing') {
      send(res, 404, '未找到 (not found)\n', { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    send(res, 200, req.method === 'HEAD' ? '' : file.data, { ...headers, 'content-type': file.contentType, 'cache-control': 'no-cache' });
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const headers = { ...baseHeaders(), ...(isApi ? { 'cache-control': 'no-store' } : {}) };
    (isApi ? handleApi(req, res, url, headers) : handleStatic(req, res, url, headers)).catch((error: unknown) => {
      let apiError: ApiError;
      if (error instanceof ApiError) apiError = error;
      else if (error instanceof StoreError) apiError = fromStore(error);
      else {
        const code = (error as { code?: unknown }).code;
        logger.error('api.internal-error', { method: req.method, path: url.pathname, code: typeof code === 'string' ? code : null, error: error instanceof Error ? error.message : String(error) });
        apiError = new ApiError('INTERNAL', `服务器内部错误${typeof code === 'string' ? ` [${code}]` : ''}，请联系信息部 (internal error; contact IT)`);
      }
      if (apiError.status >= 400 && apiError.code !== 'INTERNAL') logger.debug('api.refused', { method: req.method, path: url.pathname, code: apiError.code });
      // Drain what the client still sends, so it reads our answer instead of a reset connection.
      req.resume();
      sendJson(res, apiError.status, errorBody(apiError), headers);
    });
  };

  const server: Server = options.tls === undefined ? createHttpServer(onRequest) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest);
  server.headersTimeout = 20_000;
  server.requestTimeout = 0; // uploads of big code packages may take minutes
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== '/api/ws') { socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'); return; }
    hub.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (_error, socket) => { socket.destroy(); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, plan.bind, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  guard = { ...guard, port: actualPort };
  const wsScheme = plan.scheme === 'https' ? 'wss' : 'ws';
  csp = contentSecurityPolicy(plan.hostnames.map((h) => `${wsScheme}://${h}:${actualPort}`));
  feed.start();
  sessions.onEnd((session, why) => { hub.publish({ type: 'session', at: new Date().toISOString(), event: why }, session.id); });
  const sweep = setInterval(() => { sessions.sweep(); }, Math.max(1000, Math.min(30_000, Math.floor(sessions.idleTimeoutMs / 4))));
  sweep.unref();
  const host = plan.bind;
  const url = `${plan.scheme}://${host}:${actualPort}`;
  deps.urls.local = url;
  deps.urls.lan = host === '127.0.0.1' ? null : url;
  logger.info('api.listening', { url, lan: host !== '127.0.0.1', station: options.station !== undefined });
  let closing: Promise<void> | undefined;
  return {
    url,
    wsUrl: `${wsScheme}://${host}:${actualPort}/api/ws`,
    loginUrl: `${url}/?token=${token}`,
    token,
    port: actualPort,
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        // Like Ctrl-D in `wuma capture`: half cases dropped, started pallet stacks parked (never left open unowned).
        if (db.open) deps.captures.endAll(logger);
        feed.close();
        await hub.close();
        await new Promise<void>((resolve) => {
          server.close(() => { resolve(); });
          server.closeAllConnections();
        });
        logger.info('api.closed', { url });
      })();
      return closing;
    },
  };
}
