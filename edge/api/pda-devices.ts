import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { appendAudit } from '../store/audit.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import { cachedStatement } from '../store/statement-cache.ts';
import type { OperationId } from './contract.ts';
import { PDA_WAREHOUSE_OPERATIONS } from './warehouse-contract.ts';
import { ApiError } from './errors.ts';
import { parseCookies, presentedToken, tokenMatches, type GuardConfig } from './request-guard.ts';

/**
 * Paired warehouse PDAs (issue 13 §5): each PDA is paired once by IT, never by a shared password. Pairing makes a
 * device token (256 random bits, base64url) that IT shows as a QR on the IT screen; the PDA scans it, opens
 * `/pda/?device=<token>` once, and keeps it as an HttpOnly cookie from then on. The database keeps only the
 * token's SHA-256, so a copy of the database opens nothing. Revoking a device stops its token at
 * the next request. A device token is not the launch token: it opens the PDA page and the few operations a PDA
 * needs (PDA_OPERATIONS), nothing of the line, the IT screen or the code packages; the person still logs in by
 * badge and their role decides what they may do.
 */

/** The cookie a paired PDA presents (set from the pairing link, HttpOnly, SameSite=Strict, Secure over TLS). */
export const DEVICE_COOKIE = 'wuma_device';
/** The query parameter of the pairing link (`/pda/?device=…`); the server turns it into the cookie and redirects. */
export const DEVICE_LINK_PARAM = 'device';
/** One year: a PDA is paired once; revocation, not expiry, ends it. */
const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 3600;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The operations a paired PDA may call with its device token alone (the session's role is checked as usual). */
export const PDA_OPERATIONS: ReadonlySet<OperationId> = new Set<OperationId>(['login', 'logout', 'me', ...PDA_WAREHOUSE_OPERATIONS]);

/** Static files a PDA may load: its page and the shared modules the page imports, nothing else of the UI. */
const PDA_STATIC_FILES: ReadonlySet<string> = new Set([
  '/styles.css', '/dom.ts', '/beep.ts', '/scan-input.ts', '/edge/api/contract.ts', '/edge/api/client.ts', '/edge/api/warehouse-contract.ts',
]);

export function isPdaStaticPath(path: string): boolean {
  return path === '/pda' || path.startsWith('/pda/') || PDA_STATIC_FILES.has(path);
}

export interface PdaDevice {
  readonly id: string;
  readonly name: string;
  readonly pairedAt: string;
  readonly pairedBy: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
}

/**
 * Where devices live: the store's `meta` table (key → value), so pairing needs no schema step of its own beside the
 * warehouse's migration. `pda.device.<id>` holds the device as JSON with its token's SHA-256; `pda.token.<sha256>`
 * names the device of a token (both primary-key probes). The token has full entropy, so a plain hash cannot be
 * guessed back. Devices are never removed: revoked ones stay listed (audit rows name them).
 */
const DEVICE_KEY = 'pda.device.';
const TOKEN_KEY = 'pda.token.';

interface Stored extends PdaDevice { readonly tokenSha256: string }

const view = (s: Stored): PdaDevice => ({ id: s.id, name: s.name, pairedAt: s.pairedAt, pairedBy: s.pairedBy, revokedAt: s.revokedAt, revokedBy: s.revokedBy });
const sha256 = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

function stored(db: Db, id: string): Stored | null {
  const value = cachedStatement(db, 'SELECT value FROM meta WHERE key = ?', 'pluck').get(DEVICE_KEY + id) as string | undefined;
  return value === undefined ? null : JSON.parse(value) as Stored;
}

/**
 * Pairs a new PDA named `name` (what IT writes on its label, e.g. "仓库 PDA 3"): stores the token's hash and an
 * audit row (the name, never the token), and returns the token once. INVALID_INPUT names the field.
 */
export function pairPdaDevice(db: Db, input: { readonly name: string; readonly actor: string; readonly at?: Date }): { readonly device: PdaDevice; readonly token: string } {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) throw new StoreError('INVALID_INPUT', 'name: 设备名称不能为空且不超过 100 字 (device name must be 1–100 characters)');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new StoreError('INVALID_INPUT', 'name: 设备名称含控制字符 (device name holds control characters)');
  const token = randomBytes(32).toString('base64url');
  const at = (input.at ?? new Date()).toISOString();
  return db.transaction(() => {
    let id = '';
    do id = `pda-${randomBytes(4).toString('hex')}`; while (stored(db, id) !== null);
    const device: Stored = { id, name, pairedAt: at, pairedBy: input.actor, revokedAt: null, revokedBy: null, tokenSha256: sha256(token) };
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(DEVICE_KEY + id, JSON.stringify(device));
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(TOKEN_KEY + device.tokenSha256, id);
    appendAudit(db, { actor: input.actor, action: 'pda.pair', subject: id, at, detail: { name } });
    return { device: view(device), token };
  }).immediate();
}

/** Every PDA ever paired, newest first (revoked ones too: the IT screen shows who revoked them, when). */
export function listPdaDevices(db: Db): PdaDevice[] {
  const rows = db.prepare("SELECT value FROM meta WHERE key >= 'pda.device.' AND key < 'pda.device/'").all() as { value: string }[];
  return rows.map((r) => view(JSON.parse(r.value) as Stored)).sort((a, b) => (a.pairedAt < b.pairedAt ? 1 : a.pairedAt > b.pairedAt ? -1 : a.id.localeCompare(b.id)));
}

/** Revokes a PDA: its token opens nothing from now on. NOT_FOUND / INVALID_STATE (already revoked); audited. */
export function revokePdaDevice(db: Db, id: string, actor: string, at = new Date()): PdaDevice {
  return db.transaction(() => {
    const device = stored(db, id);
    if (device === null) throw new StoreError('NOT_FOUND', `PDA ${JSON.stringify(id)} 不存在 (unknown PDA device)`);
    if (device.revokedAt !== null) throw new StoreError('INVALID_STATE', `PDA ${id} 已于 ${device.revokedAt} 由 ${device.revokedBy ?? '?'} 撤销 (already revoked)`);
    const revoked: Stored = { ...device, revokedAt: at.toISOString(), revokedBy: actor };
    db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(JSON.stringify(revoked), DEVICE_KEY + id);
    appendAudit(db, { actor, action: 'pda.revoke', subject: id, at: at.toISOString(), detail: { name: device.name } });
    return view(revoked);
  }).immediate();
}

export type DeviceLookup = { readonly kind: 'ok'; readonly device: PdaDevice } | { readonly kind: 'revoked'; readonly device: PdaDevice } | { readonly kind: 'unknown' };

/** The device a token belongs to (two primary-key probes). */
export function deviceOfToken(db: Db, token: string): DeviceLookup {
  if (!TOKEN_SHAPE.test(token)) return { kind: 'unknown' };
  const id = cachedStatement(db, 'SELECT value FROM meta WHERE key = ?', 'pluck').get(TOKEN_KEY + sha256(token)) as string | undefined;
  const device = id === undefined ? null : stored(db, id);
  if (device === null) return { kind: 'unknown' };
  return device.revokedAt === null ? { kind: 'ok', device: view(device) } : { kind: 'revoked', device: view(device) };
}

/** The device token a request presents: the device cookie, else a Bearer header (scripts, the bench's PDAs). */
export function presentedDeviceToken(headers: IncomingHttpHeaders): string | null {
  const cookie = parseCookies(Array.isArray(headers.cookie) ? headers.cookie[0] : headers.cookie).get(DEVICE_COOKIE);
  if (cookie !== undefined) return cookie;
  const bearer = presentedToken({ authorization: headers.authorization });
  return bearer;
}

/** Who is calling: the launch token (desktop, scripts, browsers opened from the launch link) or a paired PDA. */
export type Caller = { readonly kind: 'launch' } | { readonly kind: 'device'; readonly device: PdaDevice };

const NO_TOKEN = '缺少或错误的访问令牌：请从桌面程序或启动时给出的链接打开 (missing or wrong API token; open the UI from the desktop app or the launch link)';

/**
 * The token check of start-api.ts, after Host/Origin: the launch token opens everything; a paired PDA's token opens
 * what `allowDevice` says (an operation of PDA_OPERATIONS, a file of the PDA page). A revoked PDA hears that it
 * was revoked, so the person holding it knows to ask IT. Throws ApiError UNAUTHORIZED.
 */
export function authorizeCaller(db: Db, headers: IncomingHttpHeaders, guard: GuardConfig, allowDevice: boolean): Caller {
  if (tokenMatches(presentedToken(headers), guard.token)) return { kind: 'launch' };
  const given = presentedDeviceToken(headers);
  if (given !== null) {
    const found = deviceOfToken(db, given);
    if (found.kind === 'revoked') throw new ApiError('UNAUTHORIZED', `此 PDA（${found.device.name}）已被信息部撤销配对，请找信息部重新配对 (this PDA's pairing was revoked; ask IT to pair it again)`);
    if (found.kind === 'ok') {
      if (allowDevice) return { kind: 'device', device: found.device };
      throw new ApiError('UNAUTHORIZED', 'PDA 令牌只能用于出库扫码页面 (a PDA token opens only the dispatch scanning page)');
    }
  }
  throw new ApiError('UNAUTHORIZED', NO_TOKEN);
}

/** The paired device of a request that got past authorizeCaller, or null (launch-token callers). */
export function deviceOfRequest(db: Db, headers: IncomingHttpHeaders, launchToken?: string): PdaDevice | null {
  if (launchToken !== undefined && tokenMatches(presentedToken(headers), launchToken)) return null;
  const given = presentedDeviceToken(headers);
  if (given === null) return null;
  const found = deviceOfToken(db, given);
  return found.kind === 'ok' ? found.device : null;
}

/**
 * The answer to the pairing link `/pda/?device=<token>`: a valid device gets its cookie and a redirect to the page
 * (the token leaves the address bar and history), anything else a refusal. `secure` marks the cookie Secure (TLS).
 */
export function deviceLinkResponse(db: Db, offered: string, path: string, secure: boolean): { readonly location: string; readonly cookie: string } {
  const found = deviceOfToken(db, offered);
  if (found.kind === 'revoked') throw new ApiError('UNAUTHORIZED', `此 PDA（${found.device.name}）已被撤销配对，请找信息部重新配对 (this PDA's pairing was revoked)`);
  if (found.kind !== 'ok') throw new ApiError('UNAUTHORIZED', '配对码不正确，请在信息部界面重新生成 (unknown pairing code; make a new one on the IT screen)');
  return { location: path, cookie: `${DEVICE_COOKIE}=${offered}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${DEVICE_COOKIE_MAX_AGE_S}${secure ? '; Secure' : ''}` };
}
