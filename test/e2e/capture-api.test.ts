import { afterEach, describe, expect, it } from 'vitest';
import { ApiCallError, ApiClient } from '../../edge/api/client.ts';
import type { CaptureScanResult, CaptureView, PushMessage } from '../../edge/api/contract.ts';
import { startApi, type ApiLogger, type RunningApi } from '../../edge/api/index.ts';
import { startStationApi } from '../../edge/main.ts';
import { startBatch } from '../../edge/store/batches.ts';
import { commitCase } from '../../edge/store/case-commit.ts';
import { openStore, type Store } from '../../edge/store/open.ts';
import { addUser } from '../../edge/store/users.ts';
import { verifyStore } from '../../edge/store/verify.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from './batch-line-fixture.ts';
import { startTestLine, waitFor, type TestLine } from './station-fixture.ts';

/**
 * Manual capture over the local API (issue 4 §4) on real HTTP and WebSocket on 127.0.0.1: a whole case and a
 * pallet scanned through the API end up committed (the store verifies); bad scans are refused with their reason
 * and a Chinese message; roles and bodies are checked; and beside a running automatic case station nothing can be
 * used twice. No full cap-inner or case-inner code in any response, push or log line.
 */

const PIN = { op: '246810', qa: '135791', it: '975310' } as const;

let dir: TempDir | null = null;
let store: Store | null = null;
let api: RunningApi | null = null;
let line: TestLine | null = null;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await api?.close();
  api = null;
  await store?.close();
  store = null;
  dir?.remove();
  dir = null;
  await line?.close();
  line = null;
});

/** Every response body, push and log line of a test, for the secret search. */
interface Seen { bodies: string[]; pushes: PushMessage[]; logs: string[] }

function recorder(): { seen: Seen; fetch: typeof fetch; logger: ApiLogger } {
  const seen: Seen = { bodies: [], pushes: [], logs: [] };
  const log = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>): void => { seen.logs.push(JSON.stringify({ level, message, ...fields })); };
  return {
    seen,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      const body = await res.text();
      seen.bodies.push(body);
      return new Response(body, { status: res.status, headers: res.headers });
    },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  };
}

function addUsers(db: Store['db']): void {
  addUser(db, { id: 'op1', name: '王师傅', role: 'operator', pin: PIN.op }, 'admin');
  addUser(db, { id: 'qa1', name: '李质检', role: 'qa', pin: PIN.qa }, 'admin');
  addUser(db, { id: 'it1', name: '赵信息', role: 'it', pin: PIN.it }, 'admin');
}

async function client(url: string, token: string, fetchImpl: typeof fetch, userId: keyof typeof USERS): Promise<ApiClient> {
  const c = new ApiClient({ baseUrl: url, token, fetch: fetchImpl });
  await c.call('login', { body: { method: 'pin', userId, pin: USERS[userId] } });
  return c;
}
const USERS = { op1: PIN.op, qa1: PIN.qa, it1: PIN.it } as const;

function assertNoInnerCodes(m: LineMaterial, seen: Seen): void {
  const secrets = [...m.caps.map((c) => c.inner), ...m.cases.map((c) => c.inner)];
  const haystack = [...seen.bodies, ...seen.pushes.map((p) => JSON.stringify(p)), ...seen.logs].join('\n');
  expect(seen.bodies.length).toBeGreaterThan(0);
  expect(seen.logs.some((l) => l.includes('api.capture'))).toBe(true);
  expect(secrets.filter((s) => haystack.includes(s)).map((s) => `${s.slice(0, 4)}…`), 'full inner codes in responses, pushes or logs').toEqual([]);
}

async function refusal(p: Promise<unknown>): Promise<[number, string, string, readonly { path: string }[]]> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof ApiCallError)) throw new Error(`expected a refusal, got ${JSON.stringify(e)}`);
  return [e.status, e.code, e.message, e.errors ?? []];
}

/** A station database with one running batch on line A1, case 5 packed by the camera before it went down. */
async function serveStore(): Promise<{ m: LineMaterial; batchId: number; seen: Seen; op: ApiClient; qa: ApiClient; it: ApiClient }> {
  dir = makeTempDir('wuma-capture-api-');
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  const m = seedLine(store.db, { cases: 6, spareCaps: 4, palletCodes: 2 });
  const batchId = startBatch(store.db, { productId: m.productId, lot: 'L1', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op1' }).id;
  commitCase(store.db, { batchId, caseCode: m.cases[5]!.outer, children: capsOfCase(m, 5), at: Date.now(), actor: 'station', epcis: TEST_EPCIS });
  addUsers(store.db);
  const r = recorder();
  api = await startApi({ store, epcis: TEST_EPCIS, rendererDir: null, logger: r.logger, line: 'A1', loginBackoffMs: 1, loginBackoffMaxMs: 5 });
  const [op, qa, it] = await Promise.all([client(api.url, api.token, r.fetch, 'op1'), client(api.url, api.token, r.fetch, 'qa1'), client(api.url, api.token, r.fetch, 'it1')]);
  const push = op.connectPush({ topics: ['capture'], onMessage: (msg) => { r.seen.pushes.push(msg); } });
  closers.push(() => { push.close(); });
  await push.ready;
  return { m, batchId, seen: r.seen, op, qa, it };
}

describe('manual capture over the local API', () => {
  it('a whole case and a pallet scanned through the API are committed; the prompt advances and is pushed; the store verifies', async () => {
    const { m, batchId, seen, op } = await serveStore();
    const params = { batchId };
    const scan = (code: string): Promise<CaptureScanResult> => op.call('captureScan', { params, body: { scan: code } });
    expect(await op.call('getCapture', { params })).toEqual({ capture: null });
    expect((await op.call('status')).line).toBe('A1');

    const started = await op.call('startCapture', { params });
    expect(started).toMatchObject({ batchId, state: 'case-children', children: [], unitsPerCase: 4, casesPerPallet: 3, childKind: 'cap-outer', startedBy: { id: 'op1', name: '王师傅' }, last: null });
    expect(started.prompt).toMatchObject({ kind: 'children', have: 0, need: 4, text: expect.stringContaining('请扫瓶码：共 4 个，已扫 0 个') });

    const caps0 = capsOfCase(m, 0);
    let last: CaptureScanResult | null = null;
    for (const [i, code] of caps0.entries()) {
      last = await scan(code);
      expect(last.outcome).toMatchObject({ kind: 'accepted', action: 'child-added', code, by: 'op1', message: `已扫 ${code} (${i + 1}/4)` });
    }
    expect(last?.capture).toMatchObject({ state: 'case-code', children: caps0, prompt: { kind: 'case-code' } });
    const packed = await scan(m.cases[0]!.outer);
    expect(packed.outcome).toMatchObject({ kind: 'accepted', action: 'case-committed', code: m.cases[0]!.outer, message: expect.stringContaining('装箱成功') });
    expect(packed.capture).toMatchObject({ state: 'case-children', children: [], tally: { cases: 1, pallets: 0, refused: 0 } });
    for (const code of [...capsOfCase(m, 1), m.cases[1]!.outer]) await scan(code);

    expect((await scan('#pallet')).outcome).toMatchObject({ kind: 'accepted', action: 'control', message: expect.stringContaining('组垛') });
    for (const c of [0, 1]) expect((await scan(m.cases[c]!.outer)).outcome).toMatchObject({ action: 'stacked' });
    const full = await scan(m.cases[5]!.outer);
    expect(full.capture).toMatchObject({ state: 'pallet-code', cases: [m.cases[0]!.outer, m.cases[1]!.outer, m.cases[5]!.outer], prompt: { kind: 'pallet-code', cases: 3, need: 3, short: false } });
    const pallet = await scan(m.palletCodes[0]!);
    expect(pallet.outcome).toMatchObject({ kind: 'accepted', action: 'pallet-committed', code: m.palletCodes[0], message: expect.stringContaining('组垛成功') });
    expect(pallet.capture).toMatchObject({ state: 'pallet-cases', cases: [], stackId: null, tally: { cases: 2, pallets: 1, refused: 0 } });

    const db = store!.db;
    const row = db.prepare('SELECT status, parent FROM codes WHERE code = ?');
    expect(caps0.map((c) => row.get(c))).toEqual(caps0.map(() => ({ status: 3, parent: m.cases[0]!.outer })));
    expect([0, 1, 5].map((c) => row.get(m.cases[c]!.outer))).toEqual([0, 1, 5].map(() => ({ status: 3, parent: m.palletCodes[0] })));
    expect(db.prepare(`SELECT action, actor FROM audit_log WHERE action LIKE '%.manual-capture' ORDER BY seq`).all())
      .toEqual([{ action: 'case.manual-capture', actor: 'op1' }, { action: 'case.manual-capture', actor: 'op1' }, { action: 'pallet.manual-capture', actor: 'op1' }]);
    expect(verifyStore(db).checks.filter((c) => !c.ok)).toEqual([]);

    const ended = await op.call('endCapture', { params });
    expect(ended).toMatchObject({ batchId, halfCaseDropped: 0, parkedStack: null, tally: { cases: 2, pallets: 1, refused: 0 }, message: expect.stringContaining('人工采集结束') });
    expect(await op.call('getCapture', { params })).toEqual({ capture: null });
    // Pushed: the start, every prompt change, and the end (null).
    await waitFor('the end push', () => seen.pushes.some((p) => p.type === 'capture' && p.capture === null));
    const prompts = seen.pushes.flatMap((p) => (p.type === 'capture' && p.capture !== null ? [p.capture.prompt.text] : []));
    expect(prompts[0]).toContain('已扫 0 个');
    expect(prompts).toContain(pallet.capture.prompt.text);
    assertNoInnerCodes(m, seen);
  });

  it('refuses bad scans with their reason and a message naming what is wrong; the session goes on; secret codes masked', async () => {
    const { m, batchId, seen, op } = await serveStore();
    const params = { batchId };
    const scan = async (code: string): Promise<CaptureScanResult['outcome']> => (await op.call('captureScan', { params, body: { scan: code } })).outcome;
    await op.call('startCapture', { params });
    const caps = m.caps.map((c) => c.outer);

    expect(await scan('FOREIGN0001')).toMatchObject({ kind: 'refused', reason: 'foreign', code: 'FOREIGN0001', message: expect.stringContaining('未知码') });
    expect(await scan(caps[0]!)).toMatchObject({ kind: 'accepted' });
    expect(await scan(caps[0]!)).toMatchObject({ kind: 'refused', reason: 'duplicate', message: expect.stringContaining('本箱已扫过') });
    // A cap of case 5, which the camera packed before it went down: already used.
    expect(await scan(capsOfCase(m, 5)[0]!)).toMatchObject({ kind: 'refused', reason: 'duplicate', message: expect.stringContaining('码已被使用') });
    // Wrong step: a pallet label while bottles are due; a cap's inner code (masked, never echoed in full).
    expect(await scan(m.palletCodes[0]!)).toMatchObject({ kind: 'refused', reason: 'wrong-step', message: expect.stringContaining('这是垛码，现在应扫盖外码') });
    const inner = await scan(m.caps[9]!.inner);
    expect(inner).toMatchObject({ kind: 'refused', reason: 'wrong-step', message: expect.stringContaining('这是盖内码') });
    expect(inner.code).toMatch(/…/);
    // Control scans not allowed now.
    expect(await scan('#END')).toMatchObject({ kind: 'refused', reason: 'not-now', message: expect.stringContaining('垛上还没有箱') });
    expect(await scan('#PALLET')).toMatchObject({ kind: 'refused', reason: 'not-now', message: expect.stringContaining('本箱还有 1 个码未装完') });
    expect(await scan('#NOPE')).toMatchObject({ kind: 'refused', reason: 'not-now', message: expect.stringContaining('未知的控制码') });
    for (const c of caps.slice(1, 4)) await scan(c);
    const caseInner = await scan(m.cases[0]!.inner);
    expect(caseInner).toMatchObject({ kind: 'refused', reason: 'wrong-step', message: expect.stringContaining('这是箱内码，现在应扫箱外码') });
    expect(caseInner.code).toMatch(/…/);
    expect(await scan(m.cases[5]!.outer)).toMatchObject({ kind: 'refused', reason: 'case-code', message: expect.stringContaining('箱码已被使用') });
    // Nothing of the refused scans was committed; the half case is intact and #CLEAR drops it.
    const now = (await op.call('getCapture', { params })).capture as CaptureView;
    expect(now).toMatchObject({ state: 'case-code', children: caps.slice(0, 4), tally: { cases: 0, refused: 10 }, last: { kind: 'refused', reason: 'case-code' } });
    expect(await scan('#CLEAR')).toMatchObject({ kind: 'accepted', action: 'control', message: expect.stringContaining('已放弃本箱 4 个码') });
    expect(store!.db.prepare(`SELECT count(*) FROM codes WHERE code IN (${caps.slice(0, 4).map(() => '?').join(',')}) AND status <> 1`).pluck().get(...caps.slice(0, 4))).toBe(0);
    assertNoInnerCodes(m, seen);
  });

  it('one session per batch; roles, sessions and bodies are checked, each error naming what is wrong', async () => {
    const { m, batchId, op, qa, it } = await serveStore();
    const params = { batchId };
    expect(await refusal(op.call('captureScan', { params, body: { scan: m.caps[0]!.outer } }))).toEqual([409, 'INVALID_STATE', expect.stringContaining('没有进行中的人工采集，请先开始'), []]);
    // IT may not capture (users.ts PERMISSIONS): 403 before anything else, on start and on scan.
    expect((await refusal(it.call('startCapture', { params })))[1]).toBe('FORBIDDEN');
    await op.call('startCapture', { params });
    expect((await refusal(it.call('captureScan', { params, body: { scan: m.caps[0]!.outer } })))[1]).toBe('FORBIDDEN');
    const second = await refusal(qa.call('startCapture', { params }));
    expect(second.slice(0, 3)).toEqual([409, 'CONFLICT', expect.stringContaining(`批次 ${batchId} 已有进行中的人工采集（王师傅`)]);
    // Another capturing user carries on with the same session (shift handover); the commit is recorded as theirs.
    for (const code of capsOfCase(m, 0)) await op.call('captureScan', { params, body: { scan: code } });
    expect((await qa.call('captureScan', { params, body: { scan: m.cases[0]!.outer } })).outcome).toMatchObject({ kind: 'accepted', action: 'case-committed', by: 'qa1' });
    expect(store!.db.prepare(`SELECT actor FROM audit_log WHERE action = 'case.manual-capture'`).pluck().all()).toEqual(['qa1']);

    const bad = async (body: unknown): Promise<unknown> => refusal(op.call('captureScan', { params, body: body as never }));
    expect(await bad({})).toEqual([400, 'BAD_REQUEST', expect.any(String), [{ path: 'scan', message: expect.stringContaining('缺少必填字段') }]]);
    expect(await bad({ scan: 42 })).toEqual([400, 'BAD_REQUEST', expect.any(String), [{ path: 'scan', message: expect.stringContaining('类型应为 string') }]]);
    expect(await bad({ scan: '' })).toEqual([400, 'BAD_REQUEST', expect.any(String), expect.arrayContaining([{ path: 'scan', message: expect.stringContaining('不能为空') }])]);
    expect(await bad({ scan: '   ' })).toEqual([400, 'BAD_REQUEST', expect.stringContaining('扫码内容为空'), [{ path: 'scan', message: expect.stringContaining('空白') }]]);
    expect(await bad({ scan: 'A\u0007B' })).toEqual([400, 'BAD_REQUEST', expect.any(String), [{ path: 'scan', message: expect.stringContaining('控制字符') }]]);
    expect(await bad({ scan: 'A', userId: 'qa1' })).toEqual([400, 'BAD_REQUEST', expect.any(String), [{ path: 'userId', message: expect.stringContaining('未知字段') }]]);
    expect((await refusal(op.call('endCapture', { params, body: { userId: 'qa1' } } as never)))[3]).toEqual([{ path: '(根 root)', message: expect.stringContaining('应为空') }]);
    expect((await refusal(op.call('getCapture', { params: { batchId: 'x' as never } })))[3]).toEqual([{ path: 'batchId', message: expect.stringContaining('正整数') }]);
    expect((await refusal(op.call('startCapture', { params: { batchId: 999 } })))[0]).toBe(404);

    // Ending parks a started pallet stack and drops a half case; a paused batch cannot start one.
    await op.call('captureScan', { params, body: { scan: '#PALLET' } });
    await op.call('captureScan', { params, body: { scan: m.cases[0]!.outer } });
    const ended = await op.call('endCapture', { params });
    expect(ended).toMatchObject({ halfCaseDropped: 0, parkedStack: expect.any(Number), message: expect.stringContaining('已暂存') });
    expect(store!.db.prepare('SELECT state FROM pallet_stacks WHERE id = ?').pluck().get(ended.parkedStack)).toBe('parked');
    await op.call('pauseBatch', { params });
    expect(await refusal(op.call('startCapture', { params }))).toEqual([409, 'INVALID_STATE', expect.stringContaining('不能采集'), []]);
  });
});

describe('manual capture beside the running automatic case station', () => {
  it('a code committed by one is refused by the other with a clear reason; the store verifies', async () => {
    line = await startTestLine();
    const l = line;
    const m = l.material;
    addUsers(l.station.store.db);
    const r = recorder();
    const running = await startStationApi(l.station, { port: 0, rendererDir: null, logger: r.logger });
    api = running;
    const op = await client(running.url, running.token, r.fetch, 'op1');
    l.startBatch();
    const status = await op.call('status');
    expect(status.line).toBe('T1');
    const params = { batchId: status.batch!.id };
    const scan = async (code: string): Promise<CaptureScanResult['outcome']> => (await op.call('captureScan', { params, body: { scan: code } })).outcome;
    await op.call('startCapture', { params });

    // The hand has case 0's bottles when the camera comes back and packs the same bottles: the hand's case is refused.
    for (const code of capsOfCase(m, 0)) await scan(code);
    await l.runCase(capsOfCase(m, 0), m.cases[0]!.outer);
    expect(l.station.status().lastReads[0]).toMatchObject({ outcome: 'accepted', caseCode: m.cases[0]!.outer });
    const refused = await scan(m.cases[1]!.outer);
    expect(refused).toMatchObject({ kind: 'refused', reason: 'duplicate', message: expect.stringContaining(`${capsOfCase(m, 0)[0]}: 码已被使用`) });
    expect(await scan('#CLEAR')).toMatchObject({ kind: 'accepted', action: 'control' });

    // The hand packs case 1; the station then sees case 1's bottles (duplicate) and case 1's carton (case code): both rejected.
    for (const code of [...capsOfCase(m, 1), m.cases[1]!.outer]) await scan(code);
    // The hand's case counts on the operator's screen at once, beside the station's own (read again from the store).
    await waitFor('the hand-packed case in the counters', () => l.station.status().counters.good === 2);
    await l.runCase(capsOfCase(m, 1), m.cases[2]!.outer);
    expect(l.station.status().lastReads[0]).toMatchObject({ outcome: 'rejected', reasons: expect.arrayContaining(['duplicate']) });
    await l.runCase(capsOfCase(m, 2), m.cases[1]!.outer);
    expect(l.station.status().lastReads[0]).toMatchObject({ outcome: 'rejected', reasons: ['case-code'] });
    const db = l.station.store.db;
    expect(db.prepare('SELECT parent FROM codes WHERE code = ?').pluck().get(capsOfCase(m, 1)[0])).toBe(m.cases[1]!.outer);
    expect(db.prepare(`SELECT subject, actor FROM audit_log WHERE action = 'case.manual-capture'`).all()).toEqual([{ subject: m.cases[1]!.outer, actor: 'op1' }]);
    // The case the hand refused earlier is the station's, whole.
    expect(db.prepare('SELECT child_count FROM containers WHERE code = ?').pluck().get(m.cases[0]!.outer)).toBe(4);
    expect(verifyStore(db).checks.filter((c) => !c.ok)).toEqual([]);
    expect((await op.call('status')).counters).toMatchObject({ good: 2, cases: 2, reject: 2 });
    await op.call('endCapture', { params });
    assertNoInnerCodes(m, r.seen);
  });
});
