import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from './batch-line-fixture.ts';
import { runWuma } from '../support/run-cli.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { API_OPERATIONS, type StationStatus } from '../../edge/api/contract.ts';
import { ROUTE_TABLE, startApi, type RunningApi, type StationLike } from '../../edge/api/index.ts';
import { startBatch } from '../../edge/store/batches.ts';
import { commitCase } from '../../edge/store/case-commit.ts';
import { openStore, type Store } from '../../edge/store/open.ts';
import { recordReject } from '../../edge/store/rejects.ts';
import { addUser, mayPerform, ROLES, type Role } from '../../edge/store/users.ts';

/**
 * The local API over real HTTP on 127.0.0.1 (issue 6 "Must show": bind refusal, token, Host, Origin, roles on
 * every mutating endpoint; login by badge and PIN, lockout, idle logout; no full inner code in any response).
 * Requests go through node:http with `agent: false` so each test controls every header, Host included.
 */

const PINS: Record<Role, string> = { operator: '135792', qa: '246810', it: '975310', admin: '864200', warehouse: '531864' };
const USER_OF: Record<Role, string> = { operator: 'op1', qa: 'qa1', it: 'it1', admin: 'admin1', warehouse: 'wh1' };

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }

function call(port: number, method: string, path: string, options: { headers?: Record<string, string>; body?: unknown; raw?: Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = options.raw ?? (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)));
    const req = request({
      host: '127.0.0.1', port, method, path, agent: false,
      headers: {
        host: `127.0.0.1:${port}`, connection: 'close',
        ...(payload === undefined ? {} : { 'content-type': options.raw === undefined ? 'application/json' : 'application/octet-stream', 'content-length': String(payload.length) }),
        ...options.headers,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Raw WebSocket upgrade attempt: the HTTP status line the server answers with. */
function upgrade(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path: '/api/ws', agent: false,
      headers: { host: `127.0.0.1:${port}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'wuma.v1', ...headers },
    });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

let dir: TempDir;
let store: Store;
let api: RunningApi;
let m: LineMaterial;
let batchId: number;
let auth: Record<string, string>;

function seed(db: Store['db']): void {
  m = seedLine(db, { cases: 6, spareCaps: 8, palletCodes: 2 });
  batchId = startBatch(db, { productId: m.productId, lot: 'L2026-03-01', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op1' }).id;
  for (let i = 0; i < 2; i += 1) commitCase(db, { batchId, caseCode: m.cases[i]?.outer ?? '', children: capsOfCase(m, i), at: Date.now() - 5000 + i, actor: 'station', epcis: TEST_EPCIS });
  // A reject whose read saw a cap turned over (its inner code) and the case's inner code: the store masks both.
  recordReject(db, {
    batchId, station: 'case', at: Date.now() - 1000, actor: 'station',
    findings: [{ reason: 'wrong', code: m.caps[8]?.inner ?? '', detail: '盖内码 (inner code read)' }],
    read: { childCodes: [...capsOfCase(m, 2).slice(0, 3), m.caps[8]?.inner ?? ''], caseCode: m.cases[2]?.outer ?? '', noRead: false },
  });
  for (const role of ROLES) addUser(db, { id: USER_OF[role], name: `用户 ${role}`, role, pin: PINS[role], badge: `BADGE-${role}-0001` }, 'admin');
}

async function start(extra: Partial<Parameters<typeof startApi>[0]> = {}): Promise<RunningApi> {
  api = await startApi({ store, epcis: TEST_EPCIS, rendererDir: dir.file('renderer'), loginBackoffMs: 1, loginBackoffMaxMs: 5, ...extra });
  auth = { authorization: `Bearer ${api.token}` };
  return api;
}

async function login(role: Role): Promise<string> {
  const r = await call(api.port, 'POST', '/api/session/login', { headers: auth, body: { method: 'pin', userId: USER_OF[role], pin: PINS[role] } });
  expect(r.status, r.text).toBe(200);
  return r.json.sessionId as string;
}

const as = (session: string): Record<string, string> => ({ ...auth, 'x-wuma-session': session });

beforeEach(() => {
  dir = makeTempDir('wuma-api-');
  mkdirSync(dir.file('renderer'));
  writeFileSync(dir.file('renderer/index.html'), '<!doctype html><title>五码</title>');
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  seed(store.db);
});
afterEach(async () => {
  await api?.close();
  await store.close();
  dir.remove();
});

describe('binding', () => {
  it('refuses a non-loopback host without allowLan + TLS, and binds 127.0.0.1 by default', async () => {
    for (const options of [{ host: '0.0.0.0' }, { host: '192.168.1.10' }, { host: '192.168.1.10', allowLan: true }, { host: '192.168.1.10', tls: { cert: 'x', key: 'y' } }, { host: '::' }]) {
      await expect(startApi({ store, ...options })).rejects.toMatchObject({ code: 'BIND_REFUSED' });
    }
    await expect(startApi({ store, host: '0.0.0.0', allowLan: true, tls: { cert: 'x', key: 'y' } })).rejects.toMatchObject({ code: 'BIND_REFUSED' });
    await start();
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('wuma api refuses --host 0.0.0.0 without --allow-lan and TLS', async () => {
    const r = await runWuma(['api', '--host', '0.0.0.0', '--port', '0', '--db', dir.file('wuma.db'), '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BIND_REFUSED|拒绝监听/);
  });
});

describe('token, Host and Origin', () => {
  beforeEach(async () => { await start(); });

  it('refuses every route without the token or with a wrong one (401), also the UI and the WebSocket', async () => {
    for (const route of ROUTE_TABLE) {
      const path = route.descriptor.path.replace(/\{\w+\}/g, '1');
      for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token-wrong-token' }, { authorization: `Bearer ${api.token}x` }] as Record<string, string>[]) {
        const r = await call(api.port, route.descriptor.method, path, { headers });
        expect(r.status, `${route.id} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.json.code).toBe('UNAUTHORIZED');
      }
    }
    expect((await call(api.port, 'GET', '/')).status).toBe(401);
    expect((await call(api.port, 'GET', '/?token=nope')).status).toBe(401);
    expect(await upgrade(api.port, {})).toBe(401);
    expect(await upgrade(api.port, { 'sec-websocket-protocol': 'wuma.v1, wuma-token.wrong' })).toBe(401);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin (CSRF) with 403, even with the token', async () => {
    const session = await login('admin');
    const good = as(session);
    for (const host of ['evil.example', `evil.example:${api.port}`, `127.0.0.1:${api.port + 1}`, `192.168.1.10:${api.port}`, `127.0.0.1.evil.example:${api.port}`]) {
      for (const route of ROUTE_TABLE) {
        const r = await call(api.port, route.descriptor.method, route.descriptor.path.replace(/\{\w+\}/g, '1'), { headers: { ...good, host } });
        expect(r.status, `${route.id} Host ${host}`).toBe(403);
        expect(r.json.code).toBe('FORBIDDEN_HOST');
      }
      expect((await call(api.port, 'GET', `/?token=${api.token}`, { headers: { host } })).status).toBe(403);
      expect(await upgrade(api.port, { ...auth, host })).toBe(403);
    }
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${api.port + 1}`, `https://127.0.0.1:${api.port}`, `http://localhost.evil.example:${api.port}`]) {
      for (const route of ROUTE_TABLE) {
        const r = await call(api.port, route.descriptor.method, route.descriptor.path.replace(/\{\w+\}/g, '1'), { headers: { ...good, origin } });
        expect(r.status, `${route.id} Origin ${origin}`).toBe(403);
        expect(r.json.code).toBe('FORBIDDEN_ORIGIN');
      }
      expect(await upgrade(api.port, { ...auth, origin })).toBe(403);
    }
    // Our own names pass.
    expect((await call(api.port, 'GET', '/api/status', { headers: { ...good, host: `localhost:${api.port}`, origin: `http://localhost:${api.port}` } })).status).toBe(200);
    expect((await call(api.port, 'GET', '/api/status', { headers: { ...good, origin: `http://127.0.0.1:${api.port}` } })).status).toBe(200);
    expect(await upgrade(api.port, { ...auth, origin: `http://127.0.0.1:${api.port}` })).toBe(101);
  });

  it('a browser opens /?token= once: HttpOnly SameSite=Strict cookie, redirect, then UI and API by cookie with a strict CSP', async () => {
    const first = await call(api.port, 'GET', `/?token=${api.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/^wuma_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    const cookie = setCookie.split(';')[0] ?? '';
    const page = await call(api.port, 'GET', '/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('五码');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${api.port} ws://localhost:${api.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    const client = await call(api.port, 'GET', '/edge/api/client.ts', { headers: { cookie } });
    expect(client.headers['content-type']).toMatch(/text\/javascript/);
    expect(client.text).not.toMatch(/import type|: Promise<CallResult<K>>/); // type-stripped for the browser
    expect((await call(api.port, 'GET', '/edge/store/users.ts', { headers: { cookie } })).status).toBe(404);
    expect((await call(api.port, 'GET', '/../../etc/passwd', { headers: { cookie } })).status).toBe(404);
    expect((await call(api.port, 'GET', '/%2e%2e/wuma.db', { headers: { cookie } })).status).toBe(404);
    const me = await call(api.port, 'POST', '/api/session/login', { headers: { cookie }, body: { method: 'badge', badge: 'BADGE-operator-0001' } });
    expect(me.status).toBe(200);
    const session = String(me.headers['set-cookie']).split(';')[0] ?? '';
    expect(String(me.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await call(api.port, 'GET', '/api/session/me', { headers: { cookie: `${cookie}; ${session}` } })).json.user.id).toBe('op1');
  });
});

describe('sessions', () => {
  it('logs in by badge and by user + PIN; a wrong badge or PIN is refused and the next try is delayed', async () => {
    await start({ loginBackoffMs: 300, loginBackoffMaxMs: 300 });
    const badge = await call(api.port, 'POST', '/api/session/login', { headers: auth, body: { method: 'badge', badge: 'BADGE-qa-0001' } });
    expect(badge.status).toBe(200);
    expect(badge.json).toMatchObject({ user: { id: 'qa1', role: 'qa', roleZh: '质检' }, loginMethod: 'badge' });
    expect(badge.json.permissions).toContain('rework.remove');
    const pin = await call(api.port, 'POST', '/api/session/login', { headers: auth, body: { method: 'pin', userId: 'op1', pin: PINS.operator } });
    expect(pin.json).toMatchObject({ user: { id: 'op1', role: 'operator' }, loginMethod: 'pin' });
    const me = await call(api.port, 'GET', '/api/session/me', { headers: as(pin.json.sessionId) });
    expect(me.json.user.id).toBe('op1');

    const wrongBadge = await call(api.port, 'POST', '/api/session/login', { headers: auth, body: { method: 'badge', badge: 'BADGE-nobody' } });
    expect(wrongBadge.status).toBe(401);
    expect(wrongBadge.json.code).toBe('AUTH_FAILED');
    const again = await call(api.port, 'POST', '/api/session/login', { headers: auth, body: { method: 'badge', badge: 'BADGE-qa-0001' } });
    expect(again.status).toBe(429);
    expect(again.json.code).toBe('LOGIN_THROTTLED');
    expect(again.json.details.retryAfterMs).toBeGreaterThan(0);
    expect(again.json.message).toMatch(/秒后再试.*\(too many failed logins/);
    // Neither the badge nor the PIN ever comes back in a response.
    expect(wrongBadge.text).not.toContain('BADGE-nobody');

    const logout = await call(api.port, 'POST', '/api/session/logout', { headers: as(pin.json.sessionId) });
    expect(logout.status).toBe(200);
    expect((await call(api.port, 'GET', '/api/session/me', { headers: as(pin.json.sessionId) })).json.code).toBe('NO_SESSION');
  });

  it('locks the account after 5 wrong PINs (423), even for the right PIN afterwards', async () => {
    await start();
    const tries: { status: number; code: string }[] = [];
    for (let i = 0; i < 5; i += 1) {
      await new Promise((r) => setTimeout(r, 10)); // past the (test-short) login delay
      const r = await call(api.port, 'POST', '/api/session/login', { headers: auth, body: { method: 'pin', userId: 'qa1', pin: '000000' } });
      tries.push({ status: r.status, code: r.json.code });
      if (i === 0) expect(r.json.details.attemptsLeft).toBe(4);
    }
    expect(tries.slice(0, 4).every((t) => t.code === 'AUTH_FAILED')).toBe(true);
    expect(tries[4]).toEqual({ status: 423, code: 'LOCKED_OUT' });
    await new Promise((r) => setTimeout(r, 10));
    const right = await call(api.port, 'POST', '/api/session/login', { headers: auth, body: { method: 'pin', userId: 'qa1', pin: PINS.qa } });
    expect(right.status).toBe(423);
    const byBadge = await call(api.port, 'POST', '/api/session/login', { headers: auth, body: { method: 'badge', badge: 'BADGE-qa-0001' } });
    expect(byBadge.status).toBe(423);
  });

  it('logs out after the idle time; activity keeps the session alive', async () => {
    await start({ idleTimeoutMs: 400 });
    const session = await login('operator');
    for (let i = 0; i < 4; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      expect((await call(api.port, 'GET', '/api/status', { headers: as(session) })).status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 600));
    const idle = await call(api.port, 'GET', '/api/status', { headers: as(session) });
    expect(idle.status).toBe(401);
    expect(idle.json.code).toBe('SESSION_EXPIRED');
    expect(idle.json.message).toMatch(/已自动退出.*\(logged out after inactivity/);
  });
});

describe('roles and validation', () => {
  beforeEach(async () => { await start(); });

  it('every mutating route but login/logout names a permission; each role without it gets 403, with it gets past the check', async () => {
    const sessions = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, await login(r)] as const))) as Record<Role, string>;
    const mutating = ROUTE_TABLE.filter((r) => r.descriptor.mutating);
    expect(mutating.filter((r) => r.descriptor.permission === null).map((r) => r.id).sort()).toEqual(['login', 'logout']);
    let refused = 0;
    for (const route of mutating.filter((r) => r.descriptor.permission !== null)) {
      const permission = route.descriptor.permission;
      if (permission === null) continue;
      const path = route.descriptor.path.replace('{batchId}', '999999').replace('{deviceId}', 'nope');
      for (const role of ROLES) {
        const r = await call(api.port, route.descriptor.method, path, { headers: as(sessions[role]), body: {} });
        if (mayPerform(role, permission)) {
          expect(r.status, `${route.id} as ${role}: ${r.text}`).not.toBe(403);
        } else {
          expect(r.status, `${route.id} as ${role}`).toBe(403);
          expect(r.json.code).toBe('FORBIDDEN');
          expect(r.json.message).toMatch(/无权执行此操作.*\(role \w+ may not/);
          refused += 1;
        }
      }
    }
    expect(refused).toBeGreaterThan(20);
    // Nothing changed: the batch is still running and no rework was audited.
    expect(store.db.prepare(`SELECT count(*) FROM audit_log WHERE action LIKE 'rework.%'`).pluck().get()).toBe(0);
  });

  it('answers a bad body with 400 naming each field path and what is wrong', async () => {
    const op = await login('operator');
    const r = await call(api.port, 'POST', '/api/batches', { headers: as(op), body: { productId: m.productId, lot: '', productionDate: '2026/03/01', plannedQty: 'ten', packages: [], colour: 'red' } });
    expect(r.status).toBe(400);
    const paths = (r.json.errors as { path: string; message: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['line', 'lot', 'productionDate', 'plannedQty', 'packages', 'colour']));
    expect(r.json.errors.find((e: { path: string }) => e.path === 'colour').message).toMatch(/未知字段.*\(unknown field/);
    // A store-level refusal comes back with field paths too.
    const store400 = await call(api.port, 'POST', '/api/batches', { headers: as(op), body: { productId: 'nope', lot: 'L1', productionDate: '2026-03-01', line: 'A9', packages: ['x'] } });
    expect(store400.status).toBe(400);
    expect(store400.json.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['productId', 'packages[0]']));
    // One open batch per line: a second start on line A1 (running its seeded batch) is refused, naming the open one.
    const second = await call(api.port, 'POST', '/api/batches', { headers: as(op), body: { productId: m.productId, lot: 'L2', productionDate: '2026-03-02', line: 'A1', packages: packageUuids(m) } });
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`产线 A1 已有未关闭的批次 ${batchId}`) });
    expect(store.db.prepare(`SELECT count(*) FROM batches WHERE line = 'A1' AND state <> 'closed'`).pluck().get()).toBe(1);
    const qa = await login('qa');
    const rework = await call(api.port, 'POST', '/api/rework/destroy', { headers: as(qa), body: { reason: 'x', codes: ['A', 5] } });
    expect(rework.json.errors).toEqual(expect.arrayContaining([{ path: 'pin', message: expect.stringMatching(/必填/) }, { path: 'codes[1]', message: expect.stringMatching(/类型/) }]));
    const broken = await call(api.port, 'POST', '/api/codes/query', { headers: { ...as(qa), 'content-type': 'application/json' }, raw: Buffer.from('{"code":') });
    expect(broken.status).toBe(400);
    expect(broken.json.errors[0].message).toMatch(/不是有效的 JSON/);
    const notJson = await call(api.port, 'POST', '/api/codes/query', { headers: { ...as(qa), 'content-type': 'text/plain' }, raw: Buffer.from('{"code":"A"}') });
    expect(notJson.status).toBe(415);
    const query = await call(api.port, 'GET', '/api/rejects?batchId=abc&color=1', { headers: as(qa) });
    expect(query.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.batchId', 'query.color']);
  });

  it('signed actions ask for the PIN again: rework and closing a batch with unexplained codes', async () => {
    const qa = await login('qa');
    const code = capsOfCase(m, 0)[0] ?? '';
    const wrong = await call(api.port, 'POST', '/api/rework/remove', { headers: as(qa), body: { code, pin: '999999', reason: '瓶盖破损' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.code).toBe('AUTH_FAILED');
    const ok = await call(api.port, 'POST', '/api/rework/remove', { headers: as(qa), body: { code, pin: PINS.qa, reason: '瓶盖破损' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({ action: 'rework.remove', signedBy: { userId: 'qa1', role: 'qa' } });
    expect(ok.json.auditSeq).toBeGreaterThan(0);

    const close = await call(api.port, 'POST', `/api/batches/${batchId}/close`, { headers: as(qa), body: {} });
    expect(close.status).toBe(409);
    expect(close.json.code).toBe('SIGNATURE_REQUIRED');
    expect(close.json.details.report.totals.unexplained).toBeGreaterThan(0);
    const noPin = await call(api.port, 'POST', `/api/batches/${batchId}/close`, { headers: as(qa), body: { reason: '剩余码退回供应商' } });
    expect(noPin.status).toBe(400);
    expect(noPin.json.errors[0].path).toBe('pin');
    const signed = await call(api.port, 'POST', `/api/batches/${batchId}/close`, { headers: as(qa), body: { reason: '剩余码退回供应商', pin: PINS.qa } });
    expect(signed.status, signed.text).toBe(200);
    expect(signed.json.batch).toMatchObject({ state: 'closed', closedBy: 'qa1', closeReason: '剩余码退回供应商' });
    const csv = await call(api.port, 'GET', `/api/batches/${batchId}/report?format=csv`, { headers: as(qa) });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="batch-\d+-reconciliation\.csv"/);
  });
});

describe('OpenAPI', () => {
  it('is generated from the route table: every operation, its permission and its body schema', async () => {
    await start();
    const r = await call(api.port, 'GET', '/api/openapi.json', { headers: auth });
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
    for (const route of ROUTE_TABLE) {
      const op = r.json.paths[route.descriptor.path]?.[route.descriptor.method.toLowerCase()];
      expect(op, route.id).toBeDefined();
      expect(op.operationId).toBe(route.id);
      expect(op['x-wuma-permission']).toBe(route.descriptor.permission);
      if (route.body !== undefined) expect(op.requestBody.content['application/json'].schema).toEqual(JSON.parse(JSON.stringify(route.body)));
    }
    expect(Object.keys(API_OPERATIONS).length).toBe(ROUTE_TABLE.length);
  });
});

describe('secrets', () => {
  it('no full cap-inner or case-inner code in any GET response or the code query of a seeded DB', async () => {
    const secrets = [...m.caps.map((c) => c.inner), ...m.cases.map((c) => c.inner)];
    // A station snapshot that (wrongly) carries a full inner code: the API masks it again.
    const leaky: StationStatus = {
      source: 'station', at: new Date().toISOString(), line: 'A1', running: true, batch: null, counters: { good: 0, reject: 0, noRead: 0, cases: 0, pallets: 0 },
      currentCase: { code: m.cases[3]?.inner ?? '', filled: 1, ratio: 4 }, currentPallet: null,
      lastReads: [{ at: new Date().toISOString(), code: m.caps[9]?.inner ?? '', outcome: 'reject', reason: 'wrong' }], alarms: [],
    };
    const station: StationLike = { status: () => leaky, onChange: () => () => {} };
    for (const withStation of [false, true]) {
      await start(withStation ? { station } : {});
      const session = await login('admin');
      const bodies: string[] = [];
      // The warehouse's GET routes need orders, dealers and shipped stock: test/e2e/warehouse-api.test.ts runs this check on them.
      for (const route of ROUTE_TABLE.filter((r) => r.descriptor.method === 'GET' && r.descriptor.tag !== 'warehouse' && r.descriptor.tag !== 'trace')) {
        const path = route.descriptor.path.replace('{batchId}', String(batchId));
        const queries = route.id === 'batchReport' ? ['?format=json', '?format=csv'] : route.id === 'listRejects' ? ['', `?batchId=${batchId}`] : [''];
        for (const q of queries) {
          const r = await call(api.port, 'GET', `${path}${q}`, { headers: as(session) });
          expect(r.status, `${route.id}${q}: ${r.text.slice(0, 200)}`).toBe(200);
          bodies.push(r.text);
        }
      }
      for (const code of [m.caps[0]?.outer, m.caps[0]?.inner, m.cases[0]?.outer, m.cases[0]?.inner, m.caps[8]?.inner]) {
        const r = await call(api.port, 'POST', '/api/codes/query', { headers: as(session), body: { code } });
        expect(r.json.found).toBe(true);
        bodies.push(r.text);
      }
      const all = bodies.join('\n');
      expect(all).toContain('…'); // masked forms are there
      const leaked = secrets.filter((s) => all.includes(s));
      expect(leaked, 'full inner codes in API responses').toEqual([]);
      await api.close();
    }
  });
});
