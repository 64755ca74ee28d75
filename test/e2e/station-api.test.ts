import { readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCallError, ApiClient } from '../../edge/api/client.ts';
import type { PushMessage, StationStatus } from '../../edge/api/contract.ts';
import { startStationApi, type RunningStationApi } from '../../edge/main.ts';
import { addUser } from '../../edge/store/users.ts';
import { capsOfCase, packageUuids } from './batch-line-fixture.ts';
import { startTestLine, waitFor, type TestLine } from './station-fixture.ts';

/**
 * The running station's local API over real HTTP and WebSocket on 127.0.0.1 (issue 6 §1 against issue 4's
 * station): emulated camera, case reader, pallet reader, ZPL printer, verifier and Modbus PLC on loopback
 * (station-fixture.ts), the station started by startStation and served by startStationApi in the same process.
 */

const PIN = { op: '246810', qa: '135791' } as const;

let line: TestLine | null = null;
let api: RunningStationApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
  await line?.close();
  line = null;
});

/** Every body the API sent in a test, for the secret search. */
const seen: string[] = [];

async function serve(l: TestLine): Promise<{ api: RunningStationApi; op: ApiClient; qa: ApiClient }> {
  addUser(l.station.store.db, { id: 'op1', name: '王师傅', role: 'operator', pin: PIN.op, badge: 'BADGE-OP-0001' }, 'admin');
  addUser(l.station.store.db, { id: 'qa1', name: '李质检', role: 'qa', pin: PIN.qa, badge: 'BADGE-QA-0001' }, 'admin');
  api = await startStationApi(l.station, { port: 0, rendererDir: null, tokenFile: l.dir.file('api-token') });
  // A fetch that keeps every response body (the client gets an identical copy).
  const recording: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const body = await res.text();
    seen.push(body);
    return new Response(body, { status: res.status, headers: res.headers });
  };
  const op = new ApiClient({ baseUrl: api.url, token: api.token, fetch: recording });
  const qa = new ApiClient({ baseUrl: api.url, token: api.token, fetch: recording });
  await op.call('login', { body: { method: 'badge', badge: 'BADGE-OP-0001' } });
  await qa.call('login', { body: { method: 'pin', userId: 'qa1', pin: PIN.qa } });
  return { api, op, qa };
}

function assertNoInnerCodes(l: TestLine, bodies: readonly string[]): void {
  const secrets = [...l.material.caps.map((c) => c.inner), ...l.material.cases.map((c) => c.inner)];
  const haystack = bodies.join('\n');
  expect(bodies.length).toBeGreaterThan(0);
  expect(secrets.filter((s) => haystack.includes(s)).map((s) => `${s.slice(0, 4)}…`), 'full inner codes in API responses or pushes').toEqual([]);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

describe('the running station behind the local API', () => {
  it('status reflects cases the station committed: counters, last reads with reasons, current case and pallet, batch view', async () => {
    line = await startTestLine();
    const { api: running, op } = await serve(line);
    expect(statSync(line.dir.file('api-token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(line.dir.file('api-token'), 'utf8')).toBe(`${running.token}\n`);
    const m = line.material;
    line.startBatch();
    await line.runCase(capsOfCase(m, 0), m.cases[0]!.outer);
    await line.runCase(capsOfCase(m, 1), m.cases[1]!.outer);
    await line.runCase(capsOfCase(m, 2).slice(0, 3), m.cases[2]!.outer); // missing bottle
    await line.runCase([...capsOfCase(m, 3).slice(0, 3), m.caps[40]!.inner], m.cases[3]!.outer); // a cap-inner under the camera
    await line.stackCase(m.cases[0]!.outer);

    const s: StationStatus = await op.call('status');
    expect(s.source).toBe('station');
    expect(s.running).toBe(true);
    expect(s.batch).toMatchObject({ productId: m.productId, lot: 'L20260101', line: 'T1', state: 'running' });
    expect(s.counters).toEqual({ good: 2, reject: 2, noRead: 0, cases: 2, pallets: 0 });
    expect(s.lastReads.map((r) => [r.code, r.outcome, r.reason])).toEqual([
      [m.cases[3]!.outer, 'reject', 'wrong'], [m.cases[2]!.outer, 'reject', 'missing'], [m.cases[1]!.outer, 'good', null], [m.cases[0]!.outer, 'good', null],
    ]);
    expect(s.currentCase).toEqual({ code: m.cases[3]!.outer, filled: 4, ratio: 4 });
    expect(s.currentPallet).toEqual({ code: null, cases: 1, ratio: 3 });
    expect(s.alarms).toEqual([]);

    const rejects = await op.call('listRejects', { query: { batchId: s.batch!.id } });
    expect(rejects.rejects.map((r) => r.findings[0]?.reason)).toEqual(['wrong', 'missing']);
    // QA looks the inner code up: found, masked.
    const q = await op.call('queryCode', { body: { code: m.caps[40]!.inner } });
    expect(q.found).toBe(true);
    assertNoInnerCodes(line, [...seen, JSON.stringify(s)]);
  });

  it('a batch started, paused, resumed and closed through the API is carried out by the station that holds the line', async () => {
    line = await startTestLine();
    const { op, qa } = await serve(line);
    const m = line.material;
    const batch = await op.call('startBatch', { body: { productId: m.productId, lot: 'API1', productionDate: '2026-02-01', line: 'T1', packages: packageUuids(m) } });
    await waitFor('the station to adopt the batch', () => line!.station.status().running && line!.station.status().caseStation?.state === 'idle');
    await line.runCase(capsOfCase(m, 0), m.cases[0]!.outer);
    expect(line.station.status().lastReads[0]).toMatchObject({ outcome: 'accepted', caseCode: m.cases[0]!.outer });
    expect((await op.call('status')).counters.good).toBe(1);
    expect(line.station.store.db.prepare(`SELECT batch_id FROM containers WHERE code = ?`).pluck().get(m.cases[0]!.outer)).toBe(batch.id);

    await op.call('pauseBatch', { params: { batchId: batch.id } });
    await waitFor('the stations to pause', () => line!.station.status().caseStation?.state === 'stopped' && line!.station.status().palletStation?.state === 'stopped');
    const paused = await op.call('status');
    expect(paused).toMatchObject({ running: false, batch: { id: batch.id, state: 'paused' }, counters: { good: 1, cases: 1 } });

    await op.call('resumeBatch', { params: { batchId: batch.id } });
    await waitFor('the stations to run again', () => line!.station.status().caseStation?.state === 'idle');
    await line.runCase(capsOfCase(m, 1), m.cases[1]!.outer);
    expect((await op.call('status')).counters.good).toBe(2);

    // Unused codes are unexplained: the close is signed (QA, reason + PIN).
    const refused = await qa.call('closeBatch', { params: { batchId: batch.id }, body: {} }).catch((e: unknown) => e);
    expect(refused instanceof ApiCallError && refused.code).toBe('SIGNATURE_REQUIRED');
    await qa.call('closeBatch', { params: { batchId: batch.id }, body: { reason: '计划完成 (plan done)', pin: PIN.qa } });
    await waitFor('the station to drop the closed batch', () => line!.station.status().batch === null);
    const closed = await op.call('status');
    expect(closed).toMatchObject({ running: false, batch: null, counters: { good: 0, cases: 0 } });
    expect(line.station.status().caseStation?.state).toBe('stopped');
    assertNoInnerCodes(line, seen);
  });

  it('pausing through the API lets the case in hand finish first: it is committed, then the batch is paused', async () => {
    line = await startTestLine();
    const { op } = await serve(line);
    const m = line.material;
    line.startBatch();
    const batchId = line.station.status().batch!.id;
    await line.runCase(capsOfCase(m, 0), m.cases[0]!.outer);
    // A slow camera: the next case is in hand (reading) when the operator presses pause.
    line.camera.faults.delayMs = 150;
    line.cameraFeed.items.push(capsOfCase(m, 1));
    line.caseFeed.items.push([m.cases[1]!.outer]);
    line.plc.plc.advanceTrigger(1);
    await waitFor('the case in hand', () => line!.station.status().caseStation?.state === 'reading');
    const paused = await op.call('pauseBatch', { params: { batchId } });
    expect(paused.state).toBe('paused');
    // By the time the pause answered, the case in hand was decided: accepted and committed into the batch.
    const s = line.station.status();
    expect(s.lastReads[0]).toMatchObject({ outcome: 'accepted', caseCode: m.cases[1]!.outer });
    expect(s.caseStation?.state).toBe('stopped');
    expect(line.station.store.db.prepare(`SELECT batch_id FROM containers WHERE code = ?`).pluck().get(m.cases[1]!.outer)).toBe(batchId);
    expect(line.station.store.db.prepare(`SELECT count(*) FROM rejects`).pluck().get()).toBe(0);
    // The audit has the commit before the pause.
    const actions = line.station.store.db.prepare(`SELECT action FROM audit_log WHERE action IN ('case.commit', 'batch.pause') ORDER BY seq`).pluck().all();
    expect(actions.at(-1)).toBe('batch.pause');
    line.camera.faults.delayMs = 0;
  });

  it('closing through the API lets the case in hand finish first; a second batch on the line is refused while one is open', async () => {
    line = await startTestLine();
    const { op, qa } = await serve(line);
    const m = line.material;
    const batch = await op.call('startBatch', { body: { productId: m.productId, lot: 'API2', productionDate: '2026-02-01', line: 'T1', packages: packageUuids(m) } });
    await waitFor('the station to adopt the batch', () => line!.station.status().running && line!.station.status().caseStation?.state === 'idle');
    const again = await op.call('startBatch', { body: { productId: m.productId, lot: 'API3', productionDate: '2026-02-02', line: 'T1', packages: packageUuids(m) } }).catch((e: unknown) => e);
    expect(again instanceof ApiCallError ? [again.status, again.code] : again).toEqual([409, 'CONFLICT']);
    expect(again instanceof ApiCallError && again.message).toContain(`产线 T1 已有未关闭的批次 ${batch.id}（批号 API2，运行中）`);
    expect(line.station.status().batch?.id).toBe(batch.id);

    line.camera.faults.delayMs = 150;
    line.cameraFeed.items.push(capsOfCase(m, 0));
    line.caseFeed.items.push([m.cases[0]!.outer]);
    line.plc.plc.advanceTrigger(1);
    await waitFor('the case in hand', () => line!.station.status().caseStation?.state === 'reading');
    const closed = await qa.call('closeBatch', { params: { batchId: batch.id }, body: { reason: '换产 (changeover)', pin: PIN.qa } });
    expect(closed.batch.state).toBe('closed');
    expect(line.station.store.db.prepare(`SELECT batch_id FROM containers WHERE code = ?`).pluck().get(m.cases[0]!.outer)).toBe(batch.id);
    expect(line.station.store.db.prepare(`SELECT count(*) FROM rejects`).pluck().get()).toBe(0);
    expect((closed.report as unknown as { totals: { aggregated: number } }).totals.aggregated).toBeGreaterThan(0);
    await waitFor('the station to drop the closed batch', () => line!.station.status().batch === null);
    line.camera.faults.delayMs = 0;
  });

  it('end pallet through the API: a short pallet needs the operator\'s reason, then is labelled, verified and committed; an empty one is refused with 409', async () => {
    line = await startTestLine();
    const { op } = await serve(line);
    const m = line.material;
    line.startBatch();
    for (let i = 0; i < 2; i += 1) {
      await line.runCase(capsOfCase(m, i), m.cases[i]!.outer);
      await line.stackCase(m.cases[i]!.outer);
    }
    // 2 of 3 cases: short. Without a reason the station refuses, and nothing is printed.
    const printedBefore = line.printer.printed.length;
    const noReason = await op.call('endPallet', { body: {} }).catch((e: unknown) => e);
    expect(noReason instanceof ApiCallError ? [noReason.status, noReason.code] : noReason).toEqual([409, 'INVALID_STATE']);
    expect(noReason instanceof ApiCallError && noReason.message).toMatch(/本垛只有 2\/3 箱，强制结垛需要填写原因/);
    expect(line.printer.printed.length).toBe(printedBefore);
    const reason = '换班，尾垛 (end of shift)';
    const result = await op.call('endPallet', { body: { reason } });
    expect(result).toMatchObject({ kind: 'committed', detail: { cases: 2, short: true } });
    const palletCode = (result.detail as { palletCode: string }).palletCode;
    expect(line.printer.printed.at(-1)?.code).toBe(palletCode);
    const s = await op.call('status');
    expect(s.counters.pallets).toBe(1);
    expect(s.currentPallet).toMatchObject({ cases: 0, ratio: 3 });
    const audit = line.station.store.db.prepare(`SELECT actor, reason FROM audit_log WHERE action = 'pallet.force-close' AND subject = ?`).all(palletCode);
    expect(audit).toEqual([{ actor: 'op1', reason }]);

    const empty = await op.call('endPallet', { body: { reason } }).catch((e: unknown) => e);
    expect(empty instanceof ApiCallError ? [empty.status, empty.code] : empty).toEqual([409, 'INVALID_STATE']);
    assertNoInnerCodes(line, seen);
  });

  it('a case commit is pushed over the WebSocket; commit → push p50/p99 printed', async () => {
    line = await startTestLine({ seed: { cases: 40, spareCaps: 8 } });
    const { op } = await serve(line);
    const m = line.material;
    line.startBatch();
    // When the station decided each case (its snapshot shows the new read: committed, PLC command issued).
    const decidedAt = new Map<number, number>();
    const unsubscribe = line.station.onChange(() => {
      const good = line!.station.status().counters.good;
      if (!decidedAt.has(good)) decidedAt.set(good, performance.now());
    });
    const pushedAt = new Map<number, number>();
    const pushes: PushMessage[] = [];
    const conn = op.connectPush({
      onMessage: (msg) => {
        pushes.push(msg);
        if (msg.type === 'status' && !pushedAt.has(msg.status.counters.good)) pushedAt.set(msg.status.counters.good, performance.now());
      },
    });
    try {
      await conn.ready;
      const n = 36;
      for (let i = 0; i < n; i += 1) {
        await line.runCase(capsOfCase(m, i), m.cases[i]!.outer);
        await waitFor(`the push of case ${i + 1}`, () => pushedAt.has(i + 1));
      }
      const samples = Array.from({ length: n }, (_, i) => pushedAt.get(i + 1)! - decidedAt.get(i + 1)!).sort((a, b) => a - b);
      const figures = { source: 'station case commit → ws status push (same process)', n, p50Ms: +percentile(samples, 50).toFixed(3), p99Ms: +percentile(samples, 99).toFixed(3), maxMs: +(samples.at(-1) ?? 0).toFixed(3) };
      process.stdout.write(`[station api push latency] ${JSON.stringify(figures)}\n`);
      expect(samples.every((x) => x >= 0)).toBe(true);
      const last = pushes.filter((p) => p.type === 'status').at(-1);
      expect(last?.type === 'status' && last.status.lastReads[0]).toMatchObject({ code: m.cases[n - 1]!.outer, outcome: 'good' });
    } finally {
      conn.close();
      unsubscribe();
    }
    assertNoInnerCodes(line, [...seen, ...pushes.map((p) => JSON.stringify(p))]);
  });
});
