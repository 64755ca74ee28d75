import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROUTE_TABLE, startApi, type RunningApi } from '../../edge/api/index.ts';
import { DEVICE_COOKIE } from '../../edge/api/pda-devices.ts';
import { openStore, type Store } from '../../edge/store/open.ts';
import { verifyStore } from '../../edge/store/verify.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { TEST_EPCIS } from './batch-line-fixture.ts';
import { httpsCall, type HttpsAnswer } from './support/https-call.ts';
import { seedWarehouse, TLS, WAREHOUSE_USERS, type WarehouseStock } from './warehouse-fixture.ts';

/**
 * The warehouse's routes (issue 13 §2, §4, §5) through the real local API over HTTPS, as a PDA on the LAN reaches
 * it: IT pairs a PDA (device token as a QR, revocable), the PDA's token opens its page and its operations only,
 * warehouse staff log in by badge and scan an order out (pallets, a case off a pallet, every refusal with its
 * Chinese reason and nothing changed), complete it (short: reason + PIN), tracing with found-in, reports, and
 * every bad body answered with the field it names.
 */
let dir: TempDir;
let store: Store;
let stock: WarehouseStock;
let api: RunningApi;
const apis: RunningApi[] = [];

beforeEach(async () => {
  dir = makeTempDir('wuma-wh-api-');
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  stock = seedWarehouse(store.db, { pallets: 3, casesPerPallet: 3, casesOrdered: 5 });
  api = await startApi({ store, tls: TLS, epcis: TEST_EPCIS, loginBackoffMs: 1, loginBackoffMaxMs: 2, rendererDir: undefined });
  apis.push(api);
});
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
  await store.close();
  dir.remove();
});

const call = (method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<HttpsAnswer> => httpsCall(api.port, TLS.cert, method, path, options);
const launch = (): Record<string, string> => ({ authorization: `Bearer ${api.token}` });

async function login(who: keyof typeof WAREHOUSE_USERS, auth: Record<string, string> = launch()): Promise<Record<string, string>> {
  const r = await call('POST', '/api/session/login', { headers: auth, body: { method: 'badge', badge: WAREHOUSE_USERS[who].badge } });
  expect(r.status, r.text).toBe(200);
  return { ...auth, 'x-wuma-session': r.json.sessionId as string };
}

async function pairPda(name = '仓库 PDA 1'): Promise<{ id: string; token: string; answer: HttpsAnswer }> {
  const it = await login('it');
  const r = await call('POST', '/api/pda-devices', { headers: it, body: { name } });
  expect(r.status, r.text).toBe(200);
  const link = new URL(r.json.link as string);
  return { id: r.json.device.id as string, token: link.searchParams.get('device') ?? '', answer: r };
}

const snapshot = (): unknown => ({
  codes: store.db.prepare('SELECT code, status, parent FROM codes ORDER BY code').all(),
  outbox: store.db.prepare('SELECT count(*) FROM outbox').pluck().get(),
  audit: store.db.prepare('SELECT count(*) FROM audit_log').pluck().get(),
  orders: store.db.prepare('SELECT * FROM dispatch_orders ORDER BY id').all(),
  lines: store.db.prepare('SELECT * FROM order_lines').all(),
  shipped: store.db.prepare('SELECT * FROM shipped_items').all(),
});

describe('PDA pairing over HTTPS', () => {
  it('IT pairs a PDA: a QR of the link, the token masked in text; the link sets an HttpOnly Secure cookie and leaves the address bar', async () => {
    const { id, token, answer } = await pairPda();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(answer.json.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from((answer.json.qr as string).split(',')[1] ?? '', 'base64').toString('utf8')).toMatch(/^<svg|<\?xml/);
    expect(answer.json.linkShown).not.toContain(token);
    expect(answer.json.linkShown).toMatch(/\/pda\/\?device=.+…/);
    expect(answer.json.reachableFromLan).toBe(false); // this test API listens on 127.0.0.1
    const opened = await call('GET', `/pda/?device=${token}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/pda/');
    const setCookie = String(opened.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${DEVICE_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=\\d+; Secure`));
    const device = { cookie: `${DEVICE_COOKIE}=${token}` };
    const page = await call('GET', '/pda/', { headers: device });
    expect(page.status).toBe(200);
    expect(page.text).toContain('pda-main.ts');
    expect((await call('GET', '/pda/pda-main.ts', { headers: device })).status).toBe(200);
    // The station's own UI is not the PDA's.
    expect((await call('GET', '/', { headers: device })).status).toBe(401);
    expect((await call('GET', '/screens/it.ts', { headers: device })).status).toBe(401);
    const list = await call('GET', '/api/pda-devices', { headers: await login('it') });
    expect(list.json.devices.map((d: { id: string }) => d.id)).toEqual([id]);
    expect(list.text).not.toContain(token);
  });

  it('the device token opens login and the scanning operations only; revoked, it opens nothing and says so', async () => {
    const { id, token } = await pairPda();
    const device = { cookie: `${DEVICE_COOKIE}=${token}` };
    const wh = await login('warehouse', device);
    expect((await call('GET', '/api/session/me', { headers: wh })).json.user.role).toBe('warehouse');
    expect((await call('GET', '/api/warehouse/orders', { headers: wh })).status).toBe(200);
    for (const [method, path] of [['GET', '/api/status'], ['GET', '/api/batches'], ['POST', '/api/codes/query'], ['GET', '/api/pda-devices'], ['GET', '/api/packages'], ['POST', '/api/warehouse/orders']] as const) {
      const r = await call(method, path, { headers: wh, body: {} });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.json.message).toMatch(/PDA 令牌只能用于出库扫码页面/);
    }
    // A launch-token caller may do what its role may.
    expect((await call('GET', '/api/status', { headers: await login('warehouse') })).status).toBe(200);
    // Revoked by IT: the next request from the PDA is refused with the reason.
    const it = await login('it');
    expect((await call('POST', `/api/pda-devices/${id}/revoke`, { headers: it })).json.revokedBy).toBe('it1');
    const after = await call('GET', '/api/warehouse/orders', { headers: wh });
    expect(after.status).toBe(401);
    expect(after.json.message).toMatch(/已被信息部撤销配对/);
    expect((await call('GET', `/pda/?device=${token}`)).status).toBe(401);
    expect((await call('GET', '/pda/', { headers: device })).status).toBe(401);
    expect((await call('POST', `/api/pda-devices/${id}/revoke`, { headers: it })).status).toBe(409);
    // Only IT (or admin) pairs: a warehouse user may not, even with the launch token.
    expect((await call('POST', '/api/pda-devices', { headers: await login('warehouse'), body: { name: 'x' } })).status).toBe(403);
  });
});

describe('dispatch from a PDA', () => {
  it('ships a whole order: a pallet, a case off a pallet, refusals with their reason changing nothing, then complete', async () => {
    const { token } = await pairPda();
    const wh = await login('warehouse', { cookie: `${DEVICE_COOKIE}=${token}` });
    const scan = (code: string): Promise<HttpsAnswer> => call('POST', `/api/warehouse/orders/${stock.orderId}/scan`, { headers: wh, body: { code } });
    const [p0, p1] = stock.pallets;
    if (p0 === undefined || p1 === undefined) throw new Error('fixture');

    const first = await scan(p0.code);
    expect(first.status, first.text).toBe(200);
    expect(first.json.result).toMatchObject({ kind: 'ok', codeKind: 'pallet', counted: 3 });
    expect(first.json.order.shipped).toBe(3);
    expect(first.json.order.state).toBe('picking');

    // Refusals: each a 200 with its Chinese word, and nothing changed.
    const before = snapshot();
    const refusals: [string, string, string][] = [
      [p0.code, 'already-shipped', '已发货'],
      [p0.cases[0] ?? '', 'already-shipped', '已发货'],
      [p1.code, 'over-quantity', '超量'],
      [stock.otherPallet.code, 'wrong-product', '品项不符'],
      ['NOT-A-CODE-123', 'unknown-code', '未知码'],
      [stock.product.caps[0]?.inner ?? '', 'wrong-kind', '码类不符'],
    ];
    for (const [code, reason, label] of refusals) {
      const r = await scan(code);
      expect(r.status, r.text).toBe(200);
      expect(r.json.result, code).toMatchObject({ kind: 'refused', reason, label });
      expect(r.json.result.message).toMatch(/[\u4e00-\u9fff]/);
      expect(r.text).not.toContain(stock.product.caps[0]?.inner);
    }
    expect(snapshot()).toEqual(before);

    // Two single cases, one taken off the second pallet (unpacked first).
    const c1 = await scan(p1.cases[0] ?? '');
    expect(c1.json.result).toMatchObject({ kind: 'ok', codeKind: 'case-outer', counted: 1, unpackedFrom: p1.code });
    const c2 = await scan(p1.cases[1] ?? '');
    expect(c2.json.result).toMatchObject({ kind: 'ok', counted: 1 });
    expect(c2.json.order).toMatchObject({ shipped: 5, quantity: 5 });
    expect((await scan(p1.cases[2] ?? '')).json.result).toMatchObject({ kind: 'refused', reason: 'over-quantity', label: '超量' });

    const order = await call('GET', `/api/warehouse/orders/${stock.orderId}`, { headers: wh });
    // One entry per scan, as the PDA's last-scans list shows them: the whole pallet (its 3 cases), then 2 loose cases.
    expect(order.json.recent.map((s: { cases: number }) => s.cases).sort()).toEqual([1, 1, 3]);
    expect(order.json.recent.every((s: { device: string | null; user: string }) => s.user === 'wh1' && s.device !== null)).toBe(true);
    const done = await call('POST', `/api/warehouse/orders/${stock.orderId}/complete`, { headers: wh, body: {} });
    expect(done.status, done.text).toBe(200);
    expect(done.json.state).toBe('shipped');
    expect((await scan(p1.cases[2] ?? '')).json.result).toMatchObject({ kind: 'refused', reason: 'order-closed' });
    expect(verifyStore(store.db).checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('a short shipment needs a reason signed with the PIN: 409 without, 400 naming pin, a wrong PIN refused, then shipped', async () => {
    const wh = await login('warehouse');
    const path = `/api/warehouse/orders/${stock.orderId}`;
    expect((await call('POST', `${path}/scan`, { headers: wh, body: { code: stock.pallets[0]?.code } })).json.result.kind).toBe('ok');
    const unsigned = await call('POST', `${path}/complete`, { headers: wh, body: {} });
    expect(unsigned.status).toBe(409);
    expect(unsigned.json.code).toBe('SIGNATURE_REQUIRED');
    expect(unsigned.json.message).toMatch(/短发.*3\/5/);
    const noPin = await call('POST', `${path}/complete`, { headers: wh, body: { reason: '库存不足' } });
    expect(noPin.status).toBe(400);
    expect(noPin.json.errors).toEqual([{ path: 'pin', message: expect.stringMatching(/缺少必填字段/) }]);
    const wrong = await call('POST', `${path}/complete`, { headers: wh, body: { reason: '库存不足', pin: '000000' } });
    expect(wrong.status).toBe(401);
    expect((await call('GET', path, { headers: wh })).json.order.state).toBe('picking');
    const signed = await call('POST', `${path}/complete`, { headers: wh, body: { reason: '库存不足', pin: WAREHOUSE_USERS.warehouse.pin } });
    expect(signed.status, signed.text).toBe(200);
    expect(signed.json).toMatchObject({ state: 'shipped', shipped: 3, shortReason: '库存不足', shortSigner: 'wh1' });
    expect(signed.text).not.toContain(WAREHOUSE_USERS.warehouse.pin);
  });

  it('ten PDAs racing for the last case of the line: exactly one ships it, over two API servers on their own connections', async () => {
    const store2 = openStore(dir.file('wuma.db'), { checkpointer: false });
    try {
      const api2 = await startApi({ store: store2, tls: TLS, epcis: TEST_EPCIS, loginBackoffMs: 1 });
      apis.push(api2);
      const wh = await login('warehouse');
      const path = `/api/warehouse/orders/${stock.orderId}/scan`;
      // 3 (pallet) + 1 (case) = 4 of 5: one case left on the line.
      await call('POST', path, { headers: wh, body: { code: stock.pallets[0]?.code } });
      await call('POST', path, { headers: wh, body: { code: stock.pallets[1]?.cases[0] } });
      const r2 = await httpsCall(api2.port, TLS.cert, 'POST', '/api/session/login', { headers: { authorization: `Bearer ${api2.token}` }, body: { method: 'badge', badge: WAREHOUSE_USERS.warehouse2.badge } });
      const wh2 = { authorization: `Bearer ${api2.token}`, 'x-wuma-session': r2.json.sessionId as string };
      const candidates = [...(stock.pallets[1]?.cases.slice(1) ?? []), ...(stock.pallets[2]?.cases ?? []), stock.pallets[2]?.code ?? ''];
      const racers = Array.from({ length: 10 }, (_, i) => {
        const code = candidates[i % candidates.length] ?? '';
        return i % 2 === 0 ? call('POST', path, { headers: wh, body: { code } }) : httpsCall(api2.port, TLS.cert, 'POST', path, { headers: wh2, body: { code } });
      });
      const answers = await Promise.all(racers);
      const ok = answers.filter((a) => a.json.result.kind === 'ok');
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(ok.length).toBe(1);
      expect(answers.filter((a) => a.json.result.kind === 'refused').map((a) => a.json.result.reason as string).every((r) => r === 'over-quantity' || r === 'already-shipped')).toBe(true);
      const order = await call('GET', `/api/warehouse/orders/${stock.orderId}`, { headers: wh });
      expect(order.json.order.shipped).toBe(5);
    } finally {
      for (const a of apis.splice(1)) await a.close();
      await store2.close();
    }
  });
});

describe('bad input, tracing and reports', () => {
  it('every bad body or query names its field in Chinese, and nothing is stored', async () => {
    const wh = await login('warehouse');
    const it = await login('it');
    const before = snapshot();
    const cases: [Record<string, string>, string, string, unknown, string[]][] = [
      [wh, 'POST', `/api/warehouse/orders/${stock.orderId}/scan`, {}, ['code']],
      [wh, 'POST', `/api/warehouse/orders/${stock.orderId}/scan`, { code: '', extra: 1 }, ['code', 'extra']],
      [wh, 'POST', `/api/warehouse/orders/${stock.orderId}/scan`, { code: 'A\u0007B' }, ['code']],
      [wh, 'POST', `/api/warehouse/orders/${stock.orderId}/complete`, { reason: 5, pin: '' }, ['reason', 'pin']],
      [it, 'POST', `/api/warehouse/orders/${stock.orderId}/cancel`, {}, ['reason']],
      [wh, 'POST', '/api/warehouse/returns', { code: 'X' }, ['reason']],
      [wh, 'POST', '/api/warehouse/moves', { code: 'X', toWarehouse: 'a/b' }, ['toWarehouse']],
      [it, 'POST', '/api/warehouse/orders', { id: 'O 1', dealerId: 'D-EAST', warehouseId: 'WH-MAIN', lines: [{ productId: 'x', quantity: 0 }] }, ['id', 'lines[0].quantity']],
      [it, 'POST', '/api/pda-devices', { name: '' }, ['name']],
      [wh, 'GET', `/api/warehouse/dealers/${stock.dealers.east}/report?from=2026-3-1`, undefined, ['query.from', 'query.to']],
      [wh, 'GET', '/api/warehouse/orders?state=lost', undefined, ['query.state']],
    ];
    for (const [headers, method, path, body, paths] of cases) {
      const r = await call(method, path, { headers, ...(body === undefined ? {} : { body }) });
      expect(r.status, `${method} ${path} ${r.text}`).toBe(400);
      expect(r.json.message).toMatch(/[\u4e00-\u9fff]/);
      expect([...new Set((r.json.errors as { path: string }[]).map((e) => e.path))].sort(), path).toEqual([...paths].sort());
      for (const e of r.json.errors as { message: string }[]) expect(e.message).toMatch(/[\u4e00-\u9fff]/);
    }
    const unknown = await call('POST', '/api/warehouse/orders/O-NOPE/scan', { headers: wh, body: { code: stock.pallets[0]?.code } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toMatch(/O-NOPE/);
    // An order the store refuses (unknown dealer, unknown product) names the field too.
    const refused = await call('POST', '/api/warehouse/orders', { headers: it, body: { id: 'O-2', dealerId: 'D-NOPE', warehouseId: 'WH-MAIN', lines: [{ productId: stock.product.productId, quantity: 1 }] } });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.text).toMatch(/dealerId/);
    expect(snapshot()).toEqual(before);
  });

  it('traces a case to its order, dealer and region; an inner code never in a URL; a QA finding in another region is 窜货', async () => {
    const wh = await login('warehouse');
    await call('POST', `/api/warehouse/orders/${stock.orderId}/scan`, { headers: wh, body: { code: stock.pallets[0]?.code } });
    const caseCode = stock.pallets[0]?.cases[1] ?? '';
    const t = await call('GET', `/api/trace/${encodeURIComponent(caseCode)}`, { headers: wh });
    expect(t.status, t.text).toBe(200);
    expect(t.json).toMatchObject({ code: caseCode, pallet: stock.pallets[0]?.code, region: '华东', shipment: { orderId: stock.orderId, dealer: { id: 'D-EAST' } } });
    const inner = stock.product.caps[0]?.inner ?? '';
    const inUrl = await call('GET', `/api/trace/${encodeURIComponent(inner)}`, { headers: await login('qa') });
    expect(inUrl.status).toBe(400);
    expect(inUrl.text).not.toContain(inner);
    const qa = await login('qa');
    const found = await call('POST', '/api/trace/findings', { headers: qa, body: { code: inner, foundIn: '华南', note: '广州某超市' } });
    expect(found.status, found.text).toBe(200);
    expect(found.json.finding).toMatchObject({ verdict: 'diverted' });
    expect(found.json.finding.message).toMatch(/窜货/);
    expect(found.text).not.toContain(inner);
    expect((await call('POST', '/api/trace/findings', { headers: wh, body: { code: caseCode, foundIn: '华南' } })).status).toBe(403);
    expect((await call('POST', '/api/trace/findings', { headers: qa, body: { code: caseCode, foundIn: '华东' } })).json.finding.verdict).toBe('in-region');
  });

  it('no full inner code in any warehouse GET answer, with shipped stock, a return and findings on inner codes', async () => {
    const wh = await login('warehouse');
    const qa = await login('qa');
    await call('POST', `/api/warehouse/orders/${stock.orderId}/scan`, { headers: wh, body: { code: stock.pallets[0]?.code } });
    await call('POST', `/api/warehouse/orders/${stock.orderId}/scan`, { headers: wh, body: { code: stock.product.cases[3]?.inner } });
    await call('POST', '/api/warehouse/returns', { headers: wh, body: { code: stock.pallets[0]?.cases[2], reason: '破损退回' } });
    const bodies: string[] = [];
    for (const code of [stock.product.caps[0]?.inner, stock.product.cases[0]?.inner]) {
      const r = await call('POST', '/api/trace/findings', { headers: qa, body: { code, foundIn: '华南' } });
      expect(r.status, r.text).toBe(200);
      bodies.push(r.text);
    }
    const today = new Date().toISOString().slice(0, 10);
    const params: Record<string, string> = { orderId: stock.orderId, dealerId: stock.dealers.east, code: encodeURIComponent(stock.pallets[0]?.cases[0] ?? ''), deviceId: 'x' };
    const queries: Record<string, string[]> = { orderReport: ['', '?format=csv'], dealerReport: [`?from=2026-01-01&to=${today}`, `?from=2026-01-01&to=${today}&format=csv`] };
    const admin = await login('it');
    const routes = ROUTE_TABLE.filter((r) => r.descriptor.method === 'GET' && (r.descriptor.tag === 'warehouse' || r.descriptor.tag === 'trace' || r.id === 'listPdaDevices'));
    expect(routes.length).toBeGreaterThanOrEqual(8);
    for (const route of routes) {
      const path = route.descriptor.path.replace(/\{(\w+)\}/g, (_, n: string) => params[n] ?? '');
      for (const q of queries[route.id] ?? ['']) {
        const r = await call('GET', `${path}${q}`, { headers: route.id === 'listPdaDevices' ? admin : wh });
        expect(r.status, `${route.id}${q}: ${r.text.slice(0, 200)}`).toBe(200);
        bodies.push(r.text);
      }
    }
    const all = bodies.join('\n');
    expect(all).toContain('…');
    const secrets = [...stock.product.caps, ...stock.product.cases, ...stock.other.caps, ...stock.other.cases].map((c) => c.inner);
    expect(secrets.filter((s) => all.includes(s))).toEqual([]);
  });

  it('order and dealer reports as JSON, CSV and PDF; the order barcode as SVG', async () => {
    const wh = await login('warehouse');
    await call('POST', `/api/warehouse/orders/${stock.orderId}/scan`, { headers: wh, body: { code: stock.pallets[0]?.code } });
    const json = await call('GET', `/api/warehouse/orders/${stock.orderId}/report`, { headers: wh });
    expect(json.json.items.length).toBe(3);
    const csv = await call('GET', `/api/warehouse/orders/${stock.orderId}/report?format=csv`, { headers: wh });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain(stock.pallets[0]?.cases[0]);
    const pdf = await call('GET', `/api/warehouse/orders/${stock.orderId}/report?format=pdf`, { headers: wh });
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    const today = new Date().toISOString().slice(0, 10);
    const dealer = await call('GET', `/api/warehouse/dealers/${stock.dealers.east}/report?from=2026-01-01&to=${today}`, { headers: wh });
    expect(dealer.status, dealer.text).toBe(200);
    expect(dealer.json.totals.shipped).toBe(3);
    const dealerCsv = await call('GET', `/api/warehouse/dealers/${stock.dealers.east}/report?from=2026-01-01&to=${today}&format=csv`, { headers: wh });
    expect(dealerCsv.headers['content-type']).toMatch(/text\/csv/);
    const svg = await call('GET', `/api/warehouse/orders/${stock.orderId}/barcode`, { headers: wh });
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.text).toMatch(/<svg/);
  });
});
