import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDocument, validateDocument, validateEventInDocument } from '../../sync/index.ts';
import { closeBatch } from '../store/batches.ts';
import { openStore, type Store } from '../store/open.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { REFUSAL_LABEL_ZH, type RefusalReason, type ScanResult } from './contract.ts';
import { makeStock, PINS, setUpWarehouse, TEST_EPCIS, type MadeStock } from './test-stock.ts';
import { Warehouse } from './warehouse.ts';

let dir: TempDir;
let store: Store;
let w: Warehouse;
let a: MadeStock;
let b: MadeStock;
let now = Date.UTC(2026, 2, 2, 1, 0, 0);
const who = { user: 'wh1', device: 'PDA-01' };

beforeEach(() => {
  dir = makeTempDir('wuma-warehouse-');
  store = openStore(dir.file('station.db'), { checkpointer: false });
  now = Date.UTC(2026, 2, 2, 1, 0, 0);
  w = new Warehouse(store.db, { epcis: TEST_EPCIS, clock: () => new Date((now += 1000)) });
  setUpWarehouse(store.db, w);
  a = makeStock(store.db, { pallets: 2, casesPerPallet: 3, loose: 2, line: 'A1', lot: 'LA' });
  b = makeStock(store.db, { pallets: 1, casesPerPallet: 3, line: 'A2', lot: 'LB' });
});

afterEach(async () => {
  await store.close();
  dir.remove();
});

function order(id: string, quantity: number, extra: { dealerId?: string; warehouseId?: string; productId?: string } = {}): void {
  w.createOrder({ id, dealerId: extra.dealerId ?? 'D-EAST', warehouseId: extra.warehouseId ?? 'WH-A', lines: [{ productId: extra.productId ?? a.material.productId, quantity }] }, 'it1');
}

/** Everything a scan could change: code statuses and parents, containers, shipments, lines, orders, outbox, audit. */
function snapshot(): string {
  const db = store.db;
  return JSON.stringify([
    db.prepare('SELECT code, status, parent FROM codes ORDER BY code').raw().all(),
    db.prepare('SELECT code, state, child_count FROM containers ORDER BY code').raw().all(),
    db.prepare('SELECT * FROM shipped_items ORDER BY id').raw().all(),
    db.prepare('SELECT * FROM order_lines ORDER BY order_id, line_no').raw().all(),
    db.prepare('SELECT id, state FROM dispatch_orders ORDER BY id').raw().all(),
    db.prepare('SELECT count(*) FROM outbox').pluck().get(),
    db.prepare('SELECT count(*) FROM audit_log').pluck().get(),
  ]);
}

function expectRefused(result: ScanResult, reason: RefusalReason, message?: RegExp): void {
  expect(result.kind, JSON.stringify(result)).toBe('refused');
  if (result.kind !== 'refused') return;
  expect(result.reason).toBe(reason);
  expect(result.label).toBe(REFUSAL_LABEL_ZH[reason]);
  expect(result.message.startsWith(REFUSAL_LABEL_ZH[reason])).toBe(true);
  if (message) expect(result.message).toMatch(message);
}

function events(): Record<string, unknown>[] {
  return (store.db.prepare('SELECT body FROM outbox ORDER BY id').pluck().all() as string[]).map((b) => JSON.parse(b) as Record<string, unknown>);
}

function statusOf(code: string): number {
  return store.db.prepare('SELECT status FROM codes WHERE code = ?').pluck().get(code) as number;
}

describe('dispatch scan', () => {
  it('a pallet code ships all its cases in one transaction with its audit row and a shipping event', () => {
    order('O-1', 5);
    const pallet = a.pallets[0];
    if (pallet === undefined) throw new Error('no pallet');
    const outboxBefore = events().length;
    const r = w.scan('O-1', pallet.code, who);
    expect(r).toMatchObject({ kind: 'ok', counted: 3, codeKind: 'pallet', unpackedFrom: null, orderState: 'picking', order: { quantity: 5, shipped: 3 }, line: { lineNo: 1, quantity: 5, shipped: 3 } });
    expect(statusOf(pallet.code)).toBe(4);
    for (const c of pallet.cases) expect(statusOf(c)).toBe(4);
    const rows = store.db.prepare('SELECT code, pallet, shipped_by, device FROM shipped_items ORDER BY code').all();
    expect(rows).toEqual([...pallet.cases].sort().map((code) => ({ code, pallet: pallet.code, shipped_by: 'wh1', device: 'PDA-01' })));
    const fresh = events().slice(outboxBefore);
    expect(fresh).toHaveLength(1);
    const e = fresh[0] ?? {};
    expect(e).toMatchObject({
      type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit',
      bizLocation: { id: 'urn:epc:id:sgln:0614141.00888.0' }, readPoint: { id: 'urn:epc:id:sgln:0614141.00888.0' },
      sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00001' }, { type: 'location', source: 'urn:epc:id:sgln:0614141.00888.0' }],
      destinationList: [{ type: 'owning_party', destination: 'https://id.gs1.org/417/0614141000418' }],
      bizTransactionList: [{ type: 'desadv', bizTransaction: 'https://c.wuma.example/order/O-1' }],
    });
    expect(e['epcList']).toEqual([`https://c.wuma.example/pallet/${pallet.code}`, ...[...pallet.cases].sort().map((c) => `https://c.wuma.example/case-outer/${c}`)]);
    const audit = store.db.prepare(`SELECT actor, subject, detail FROM audit_log WHERE action = 'dispatch.scan'`).all() as { actor: string; subject: string; detail: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'wh1', subject: pallet.code });
    expect(JSON.parse(audit[0]?.detail ?? '{}')).toMatchObject({ orderId: 'O-1', cases: 3, device: 'PDA-01' });
  });

  it('a single case of a pallet that does not ship whole is taken off it first (unpacking, then shipping)', () => {
    order('O-1', 5);
    const pallet = a.pallets[0];
    const caseCode = pallet?.cases[1] ?? '';
    const before = events().length;
    const r = w.scan('O-1', caseCode, who);
    expect(r).toMatchObject({ kind: 'ok', counted: 1, codeKind: 'case-outer', unpackedFrom: pallet?.code });
    const fresh = events().slice(before);
    expect(fresh.map((e) => [e['type'], e['action'], e['bizStep']])).toEqual([['AggregationEvent', 'DELETE', 'unpacking'], ['ObjectEvent', 'OBSERVE', 'shipping']]);
    expect(fresh[0]).toMatchObject({ parentID: `https://c.wuma.example/pallet/${pallet?.code}`, childEPCs: [`https://c.wuma.example/case-outer/${caseCode}`] });
    expect(store.db.prepare('SELECT parent, status FROM codes WHERE code = ?').get(caseCode)).toEqual({ parent: null, status: 4 });
    expect(store.db.prepare('SELECT child_count FROM containers WHERE code = ?').pluck().get(pallet?.code)).toBe(2);
    // The rest of the pallet still ships as a pallet: its two cases.
    expect(w.scan('O-1', pallet?.code ?? '', who)).toMatchObject({ kind: 'ok', counted: 2, line: { shipped: 3 } });
    expect(w.recentScans('O-1')).toEqual([
      expect.objectContaining({ code: pallet?.code, pallet: pallet?.code, cases: 2, user: 'wh1', device: 'PDA-01' }),
      expect.objectContaining({ code: caseCode, pallet: null, cases: 1 }),
    ]);
  });

  it('超量: the line count never goes past its quantity, for a pallet or a case, and nothing changes on a refusal', () => {
    order('O-1', 4);
    expect(w.scan('O-1', a.pallets[0]?.code ?? '', who)).toMatchObject({ kind: 'ok', counted: 3 });
    let before = snapshot();
    expectRefused(w.scan('O-1', a.pallets[1]?.code ?? '', who), 'over-quantity', /订 4 箱，已发 3 箱，此垛 3 箱/);
    expect(snapshot()).toBe(before);
    // A QR with the brand's code URL is the case it names.
    expect(w.scan('O-1', `https://c.wuma.example/case-outer/${a.loose[0] ?? ''}`, who)).toMatchObject({ kind: 'ok', code: a.loose[0], line: { shipped: 4 }, order: { shipped: 4 } });
    before = snapshot();
    expectRefused(w.scan('O-1', a.loose[1] ?? '', who), 'over-quantity');
    expect(snapshot()).toBe(before);
  });

  it('refuses, with its Chinese reason and nothing changed: unknown, wrong kind, voided, already shipped, wrong product, not stocked, closed order', () => {
    order('O-1', 8);
    order('O-2', 8);
    expect(w.scan('O-2', a.loose[0] ?? '', who).kind).toBe('ok');
    const destroyed = a.loose[1] ?? '';
    store.db.prepare('UPDATE codes SET status = 7 WHERE code = ?').run(destroyed);
    const m = a.material;
    const before = snapshot();
    expectRefused(w.scan('O-1', 'NOPE-NOT-A-CODE-123', who), 'unknown-code', /NOPE…23 不是本站的码/);
    expectRefused(w.scan('O-1', m.caps[0]?.outer ?? '', who), 'wrong-kind', /盖外码/);
    const inner = m.cases[0]?.inner ?? '';
    const innerRefusal = w.scan('O-1', inner, who);
    expectRefused(innerRefusal, 'wrong-kind', /箱内码/);
    expect(JSON.stringify(innerRefusal)).not.toContain(inner);
    expectRefused(w.scan('O-1', destroyed, who), 'voided', /已销毁/);
    expectRefused(w.scan('O-1', a.loose[0] ?? '', who), 'already-shipped', /O-2/);
    expectRefused(w.scan('O-2', a.loose[0] ?? '', who), 'already-shipped', /本单已扫过/);
    expectRefused(w.scan('O-1', b.pallets[0]?.code ?? '', who), 'wrong-product', new RegExp(b.material.productId));
    expectRefused(w.scan('O-1', `  ${b.pallets[0]?.cases[0] ?? ''}\r\n`, who), 'wrong-product');
    expectRefused(w.scan('O-1', `https://c.wuma.example/pallet/${b.pallets[0]?.code ?? ''}`, who), 'wrong-product');
    expect(snapshot()).toBe(before);
    expect(() => w.scan('O-404', a.loose[0] ?? '', who)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('未入库: a case not packed, a case on a pallet stack, a batch not closed when the product requires it', () => {
    order('O-1', 8);
    store.db.prepare('INSERT INTO codes (code, kind, status, package_id) SELECT ?, 4, 1, package_id FROM codes WHERE code = ?').run('CASE-NEVER-PACKED', a.loose[0]);
    expectRefused(w.scan('O-1', 'CASE-NEVER-PACKED', who), 'not-stocked', /未入库/);
    w.setDispatchRule(a.material.productId, { requiresClosedBatch: true }, 'it1');
    const before = snapshot();
    expectRefused(w.scan('O-1', a.loose[0] ?? '', who), 'not-stocked', new RegExp(`批次 ${a.batchId} 尚未关闭`));
    expect(snapshot()).toBe(before);
    closeBatch(store.db, { batchId: a.batchId, actor: 'qa1', reason: '测试关闭' });
    expect(w.scan('O-1', a.loose[0] ?? '', who).kind).toBe('ok');
  });

  it('非本仓: stock moved to another warehouse does not ship from this one, and ships from there', () => {
    order('O-1', 8);
    order('O-B', 8, { warehouseId: 'WH-B' });
    const pallet = a.pallets[0]?.code ?? '';
    const moved = w.move(pallet, 'WH-B', { actor: 'wh1' });
    expect(moved).toMatchObject({ fromWarehouse: 'WH-A', toWarehouse: 'WH-B', cases: 3, unpackedFrom: null });
    const storing = events().at(-1);
    expect(storing).toMatchObject({ bizStep: 'storing', action: 'OBSERVE', sourceList: [{ type: 'location', source: 'urn:epc:id:sgln:0614141.00888.0' }], destinationList: [{ type: 'location', destination: 'https://c.wuma.example/location/WH-B' }] });
    expectRefused(w.scan('O-1', pallet, who), 'wrong-warehouse', /在仓库 WH-B，本单从 WH-A 发货/);
    expectRefused(w.scan('O-1', a.pallets[0]?.cases[0] ?? '', who), 'wrong-warehouse');
    expect(w.scan('O-B', pallet, who)).toMatchObject({ kind: 'ok', counted: 3 });
    // Line B1 delivers into WH-B: its output is there without a move.
    const lineB = makeStock(store.db, { pallets: 0, casesPerPallet: 3, loose: 1, line: 'B1', lot: 'LD' });
    w.createOrder({ id: 'O-D', dealerId: 'D-SOUTH', warehouseId: 'WH-A', lines: [{ productId: lineB.material.productId, quantity: 1 }] }, 'it1');
    expectRefused(w.scan('O-D', lineB.loose[0] ?? '', who), 'wrong-warehouse', /WH-B/);
  });
});

describe('order lifecycle', () => {
  it('completes a full order without a signature; a short one needs a reason and a warehouse signature with the PIN', () => {
    order('O-1', 3);
    expect(() => w.complete('O-1', { actor: 'wh1' })).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    w.scan('O-1', a.pallets[0]?.code ?? '', who);
    expect(w.complete('O-1', { actor: 'wh1' })).toMatchObject({ state: 'shipped', shortReason: null });
    expectRefused(w.scan('O-1', a.loose[0] ?? '', who), 'order-closed');

    order('O-2', 5);
    w.scan('O-2', a.loose[0] ?? '', who);
    expect(() => w.complete('O-2', { actor: 'wh1' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/reason: 短发（第 1 行 .* 1\/5）需要原因/) }));
    expect(() => w.complete('O-2', { actor: 'wh1', reason: '库存不足' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('signer') }));
    expect(() => w.complete('O-2', { actor: 'wh1', reason: '库存不足', signer: { userId: 'op1', pin: PINS.op1 } })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => w.complete('O-2', { actor: 'wh1', reason: '库存不足', signer: { userId: 'wh1', pin: '000000' } })).toThrow(expect.objectContaining({ code: 'AUTH_FAILED' }));
    expect(store.db.prepare(`SELECT failed_attempts FROM users WHERE id = 'wh1'`).pluck().get()).toBe(1);
    expect(w.getOrder('O-2')?.state).toBe('picking');
    const done = w.complete('O-2', { actor: 'wh1', reason: '库存不足', signer: { userId: 'wh1', pin: PINS.wh1 } });
    expect(done).toMatchObject({ state: 'shipped', shortReason: '库存不足', shortSigner: 'wh1', shipped: 1, quantity: 5 });
    expect(store.db.prepare(`SELECT failed_attempts FROM users WHERE id = 'wh1'`).pluck().get()).toBe(0);
    const row = store.db.prepare(`SELECT actor, reason, detail FROM audit_log WHERE action = 'order.complete-short'`).get() as { actor: string; reason: string; detail: string };
    expect(row).toMatchObject({ actor: 'wh1', reason: '库存不足' });
    expect(JSON.parse(row.detail).signature).toMatchObject({ userId: 'wh1', role: 'warehouse', method: 'pin' });
  });

  it('cancels a draft; refuses to cancel while cases are out on the order', () => {
    order('O-1', 3);
    order('O-2', 3);
    w.scan('O-2', a.loose[0] ?? '', who);
    expect(() => w.cancel('O-2', { actor: 'it1', reason: '客户取消' })).toThrow(expect.objectContaining({ code: 'INVALID_STATE', message: expect.stringContaining('1 箱出库') }));
    expect(() => w.cancel('O-1', { actor: 'it1', reason: ' ' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(w.cancel('O-1', { actor: 'it1', reason: '客户取消' })).toMatchObject({ state: 'cancelled', cancelReason: '客户取消' });
    expectRefused(w.scan('O-1', a.loose[1] ?? '', who), 'order-closed');
    expect(() => w.release('O-2', { actor: 'it1' })).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    order('O-3', 3);
    expect(w.release('O-3', { actor: 'it1' }).state).toBe('picking');
  });
});

describe('returns', () => {
  it('a returned case is back in stock (receiving, disposition returned) and can ship again on another order', () => {
    order('O-1', 3);
    const c = a.loose[0] ?? '';
    w.scan('O-1', c, who);
    const r = w.receiveReturn(c, { actor: 'wh1', reason: '破损退回' });
    expect(r).toMatchObject({ code: c, cases: 1, orderId: 'O-1', dealerId: 'D-EAST', warehouseId: 'WH-A' });
    expect(statusOf(c)).toBe(2);
    expect(events().at(-1)).toMatchObject({
      bizStep: 'receiving', disposition: 'returned', action: 'OBSERVE',
      sourceList: [{ type: 'owning_party', source: 'https://id.gs1.org/417/0614141000418' }],
      bizTransactionList: [{ type: 'desadv', bizTransaction: 'https://c.wuma.example/order/O-1' }],
    });
    expect(() => w.receiveReturn(c, { actor: 'wh1', reason: '再退' })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    order('O-2', 3, { dealerId: 'D-SOUTH' });
    expect(w.scan('O-2', c, who).kind).toBe('ok');
    expect(w.getOrder('O-1')?.shipped).toBe(1);
  });

  it('a whole pallet comes back whole; a case of a shipped pallet comes back alone off its pallet', () => {
    order('O-1', 6);
    const [p0, p1] = a.pallets;
    w.scan('O-1', p0?.code ?? '', who);
    w.scan('O-1', p1?.code ?? '', who);
    expect(w.receiveReturn(p0?.code ?? '', { actor: 'wh1', reason: '整垛退回', warehouseId: 'WH-B' })).toMatchObject({ cases: 3, warehouseId: 'WH-B' });
    expect(statusOf(p0?.code ?? '')).toBe(2);
    for (const c of p0?.cases ?? []) expect(statusOf(c)).toBe(3);
    const one = p1?.cases[0] ?? '';
    expect(w.receiveReturn(one, { actor: 'wh1', reason: '单箱退回' })).toMatchObject({ cases: 1, unpackedFrom: p1?.code });
    expect(store.db.prepare('SELECT parent, status FROM codes WHERE code = ?').get(one)).toEqual({ parent: null, status: 2 });
    expect(events().slice(-2).map((e) => e['bizStep'])).toEqual(['unpacking', 'receiving']);
    // The returned pallet is in WH-B now: an order from WH-A refuses it.
    order('O-2', 6);
    expectRefused(w.scan('O-2', p0?.code ?? '', who), 'wrong-warehouse');
  });
});

describe('tracing (渠道稽查)', () => {
  it('traces a case to its order, dealer and region, and flags a diversion (窜货) as an audited finding', () => {
    order('O-1', 3);
    const pallet = a.pallets[0];
    w.scan('O-1', pallet?.code ?? '', who);
    const caseCode = pallet?.cases[0] ?? '';
    const t = w.trace(caseCode, { role: 'qa', actor: 'qa1' });
    expect(t).toMatchObject({
      kind: 'case-outer', case: caseCode, pallet: pallet?.code, product: { id: a.material.productId },
      batch: { id: a.batchId, lot: 'LA', productionDate: '2026-03-01', line: 'A1' },
      shipment: { orderId: 'O-1', dealer: { id: 'D-EAST', region: '华东' }, pallet: pallet?.code, returned: false }, region: '华东', finding: null,
    });
    expect(t.shippedAt).toMatch(/^2026-03-02T/);
    const diverted = w.trace(caseCode, { role: 'qa', actor: 'qa1', foundIn: '华南', note: '广州某超市' });
    expect(diverted.finding).toMatchObject({ verdict: 'diverted', foundIn: '华南' });
    expect(diverted.finding?.message).toMatch(/^窜货：此码发往 上海华东经销商（D-EAST，区域 华东），发货单 O-1/);
    expect(w.trace(caseCode, { role: 'qa', actor: 'qa1', foundIn: ' 华东 ' }).finding?.verdict).toBe('in-region');
    expect(w.trace(a.loose[1] ?? '', { role: 'qa', actor: 'qa1', foundIn: '华南' }).finding?.verdict).toBe('unshipped');
    const findings = store.db.prepare('SELECT case_code, found_in, verdict, dealer_id, dealer_region FROM market_findings ORDER BY id').all();
    expect(findings).toEqual([
      { case_code: caseCode, found_in: '华南', verdict: 'diverted', dealer_id: 'D-EAST', dealer_region: '华东' },
      { case_code: caseCode, found_in: '华东', verdict: 'in-region', dealer_id: 'D-EAST', dealer_region: '华东' },
      { case_code: a.loose[1], found_in: '华南', verdict: 'unshipped', dealer_id: null, dealer_region: null },
    ]);
    expect(store.db.prepare(`SELECT count(*) FROM audit_log WHERE action = 'trace.finding'`).pluck().get()).toBe(3);
  });

  it('traces from a cap: bottle → case → pallet; inner codes only as qa and always masked', () => {
    order('O-1', 3);
    w.scan('O-1', a.pallets[0]?.code ?? '', who);
    const cap = a.material.caps[0];
    const fromCap = w.trace(cap?.outer ?? '', { role: 'warehouse', actor: 'wh1' });
    expect(fromCap).toMatchObject({ kind: 'cap-outer', case: a.pallets[0]?.cases[0], pallet: a.pallets[0]?.code, shipment: { orderId: 'O-1' } });
    expect(() => w.trace(cap?.inner ?? '', { role: 'warehouse', actor: 'wh1' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    const inner = w.trace(cap?.inner ?? '', { role: 'qa', actor: 'qa1', foundIn: '华北' });
    expect(inner).toMatchObject({ kind: 'cap-inner', case: a.pallets[0]?.cases[0], region: '华东', finding: { verdict: 'diverted' } });
    expect(inner.code).toMatch(/^.{4}….{2}$/);
    const all = JSON.stringify([inner, store.db.prepare('SELECT * FROM market_findings').all(), store.db.prepare('SELECT * FROM audit_log').all()]);
    expect(all).not.toContain(cap?.inner ?? '');
    const caseInner = w.trace(a.pallets[0] === undefined ? '' : a.material.cases[0]?.inner ?? '', { role: 'qa', actor: 'qa1' });
    expect(caseInner.case).toBe(a.material.cases[0]?.outer);
    expect(JSON.stringify(caseInner)).not.toContain(a.material.cases[0]?.inner ?? '');
  });
});

describe('EPCIS documents of the warehouse', () => {
  it('every event written validates against the ratified schema, and so does the capture document', () => {
    order('O-1', 6);
    w.scan('O-1', a.pallets[0]?.cases[0] ?? '', who);
    w.scan('O-1', a.pallets[0]?.code ?? '', who);
    w.scan('O-1', a.loose[0] ?? '', who);
    w.receiveReturn(a.loose[0] ?? '', { actor: 'wh1', reason: '退货' });
    w.move(a.pallets[1]?.cases[0] ?? '', 'WH-B', { actor: 'wh1' });
    const bodies = store.db.prepare('SELECT body FROM outbox ORDER BY id').pluck().all() as string[];
    const steps = bodies.map((b) => (JSON.parse(b) as { bizStep: string }).bizStep);
    expect(steps).toEqual(expect.arrayContaining(['shipping', 'unpacking', 'receiving', 'storing']));
    for (const body of bodies) expect(validateEventInDocument(JSON.parse(body))).toEqual({ ok: true });
    expect(validateDocument(JSON.parse(captureDocument(bodies)))).toEqual({ ok: true });
  });
});
