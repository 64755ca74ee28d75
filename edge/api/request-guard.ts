import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { TOKEN_COOKIE, TOKEN_SUBPROTOCOL_PREFIX } from './contract.ts';
import { ApiError } from './errors.ts';

/** What every request and WebSocket upgrade is checked against. Frozen once the server is listening. */
export interface GuardConfig {
  /** Host names the server answers to: 127.0.0.1 and localhost, plus the LAN address in LAN mode. */
  readonly hostnames: readonly string[];
  readonly port: number;
  readonly scheme: 'http' | 'https';
  readonly token: string;
}

/** `name=value` pairs of a Cookie header (first occurrence wins; values are not unescaped: ours are base64url). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** Constant-time comparison of a presented token with the launch token. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (given === null || given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * DNS rebinding and CSRF defence. The Host header must be exactly one of our host names with our port (a page on
 * evil.example that rebinds its name to 127.0.0.1 still sends `Host: evil.example`); an Origin header, when the
 * browser sends one, must be our own scheme://host:port. `Origin: null` (sandboxed frames, file://) is foreign.
 */
export function checkHostAndOrigin(headers: IncomingHttpHeaders, guard: GuardConfig): void {
  const host = one(headers.host)?.toLowerCase();
  const allowed = guard.hostnames.map((h) => `${h.includes(':') ? `[${h}]` : h}:${guard.port}`.toLowerCase());
  if (host === undefined || !allowed.includes(host)) {
    throw new ApiError('FORBIDDEN_HOST', `拒绝访问：Host 头 ${JSON.stringify(host ?? '')} 不是本机地址 (Host header is not this station's address; possible DNS rebinding)`);
  }
  const origin = one(headers.origin);
  if (origin !== undefined && !allowed.map((a) => `${guard.scheme}://${a}`).includes(origin.toLowerCase())) {
    throw new ApiError('FORBIDDEN_ORIGIN', `拒绝访问：来源 ${JSON.stringify(origin)} 不是本机界面 (Origin is not this station's UI; cross-site request refused)`);
  }
}

/** The token a request presents: Bearer header, then the cookie, then (WebSocket only) the sub-protocol. */
export function presentedToken(headers: IncomingHttpHeaders): string | null {
  const auth = one(headers.authorization);
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1] ?? null;
  }
  const cookie = parseCookies(one(headers.cookie)).get(TOKEN_COOKIE);
  if (cookie !== undefined) return cookie;
  const protocols = one(headers['sec-websocket-protocol']);
  for (const p of (protocols ?? '').split(',').map((s) => s.trim())) {
    if (p.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) return p.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  }
  return null;
}

/** Host/Origin first (so a foreign page learns nothing), then the token. Throws ApiError. */
export function guardRequest(headers: IncomingHttpHeaders, guard: GuardConfig): void {
  checkHostAndOrigin(headers, guard);
  if (!tokenMatches(presentedToken(headers), guard.token)) {
    throw new ApiError('UNAUTHORIZED', '缺少或错误的访问令牌：请从桌面程序或启动时给出的链接打开 (missing or wrong API token; open the UI from the desktop app or the launch link)');
  }
}
