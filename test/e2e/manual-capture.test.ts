import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from './batch-line-fixture.ts';
import { runWuma } from '../support/run-cli.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { startBatch } from '../../edge/store/batches.ts';
import { commitCase } from '../../edge/store/case-commit.ts';
import { openStore } from '../../edge/store/open.ts';

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const WUMA = join(process.cwd(), 'bin/wuma.js');
const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

let dir: TempDir;
let m: LineMaterial;
let base: NodeJS.ProcessEnv;

beforeEach(async () => {
  dir = makeTempDir();
  const store = openStore(dir.file('wuma.db'), { checkpointer: false });
  m = seedLine(store.db, { cases: 6, spareCaps: 2, palletCodes: 2 });
  const batchId = startBatch(store.db, { productId: m.productId, lot: 'L1', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op' }).id;
  // Case 5 was packed by the camera before it went down.
  commitCase(store.db, { batchId, caseCode: m.cases[5]?.outer ?? '', children: capsOfCase(m, 5), at: T0, actor: 'station', epcis: TEST_EPCIS });
  await store.close();
  writeFileSync(dir.file('station.json'), JSON.stringify({ epcis: { identifiers: { uriTemplate: 'https://c.wuma.example/{kind}/{code}' } } }));
  writeFileSync(dir.file('op.pin'), '135792\n');
  writeFileSync(dir.file('it.pin'), '975311\n');
  writeFileSync(dir.file('bad.pin'), '000999\n');
  base = { WUMA_DB: dir.file('wuma.db'), WUMA_CONFIG: dir.file('station.json') };
  expect((await runWuma(['user', 'add', '--id', 'op1', '--name', '李操作', '--role', 'operator', '--pin-file', dir.file('op.pin')], base)).code).toBe(0);
  expect((await runWuma(['user', 'add', '--id', 'it1', '--name', '王信息', '--role', 'it', '--pin-file', dir.file('it.pin')], base)).code).toBe(0);
});
afterEach(() => { dir.remove(); });

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** Spawns `wuma capture` with the scans piped to stdin; with `sigintAfter`, sends SIGINT once stdout shows it. */
function capture(args: readonly string[], scans: readonly string[], options: { sigintAfter?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [WUMA, 'capture', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...base, WUMA_PIN: '' } });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      if (options.sigintAfter !== undefined && !signalled && stdout.includes(options.sigintAfter)) { signalled = true; child.kill('SIGINT'); }
    });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code, stdout, stderr }); });
    child.stdin.write(scans.map((s) => `${s}\n`).join(''));
    if (options.sigintAfter === undefined) child.stdin.end();
  });
}

const op = (): string[] => ['--user', 'op1', '--pin-file', dir.file('op.pin')];
const lines = (r: Run): Record<string, unknown>[] => r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('wuma capture (handheld scanner on stdin)', () => {
  it('packs cases and a short pallet by hand, refusing bad scans and going on; a half case stays uncommitted', async () => {
    const caps = m.caps.map((c) => c.outer);
    const scans = [
      caps[0], caps[1], caps[2], caps[0], 'FOREIGN0001', m.caps[9]?.inner, m.cases[0]?.outer, caps[3], caps[4], m.cases[0]?.outer,
      ...capsOfCase(m, 1), m.cases[5]?.outer, m.cases[1]?.outer,
      '#PALLET', m.cases[0]?.outer, m.cases[0]?.outer, m.cases[2]?.outer, m.cases[5]?.outer, '#END', m.palletCodes[0],
      '#CASE', caps[8], caps[9],
    ].map((s) => s ?? '');
    const r = await capture([...op(), '--json'], scans);
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r);
    const refused = out.filter((l) => l['type'] === 'refused').map((l) => l['reason']);
    expect(refused).toEqual(['duplicate', 'foreign', 'wrong-step', 'wrong-step', 'wrong-step', 'case-code', 'duplicate', 'unusable']);
    expect(out.filter((l) => l['type'] === 'case')).toMatchObject([{ caseCode: m.cases[0]?.outer, children: 4 }, { caseCode: m.cases[1]?.outer, children: 4 }]);
    expect(out.filter((l) => l['type'] === 'pallet')).toMatchObject([{ palletCode: m.palletCodes[0], cases: 2, short: true }]);
    expect(out.find((l) => l['type'] === 'prompt')).toMatchObject({ kind: 'children', have: 0, need: 4, text: '请扫瓶码：共 4 个，已扫 0 个 (scan 4 bottle codes (0 of 4))' });
    expect(out.at(-1)).toMatchObject({ type: 'end', cases: 2, pallets: 1, halfCaseDropped: 2, parkedStack: null });
    // Secret codes never shown in full: the scanned cap-inner code came back masked.
    const secrets = [...m.caps.map((c) => c.inner), ...m.cases.map((c) => c.inner)];
    expect(secrets.filter((s) => (r.stdout + r.stderr).includes(s))).toEqual([]);

    const store = openStore(dir.file('wuma.db'), { checkpointer: false });
    try {
      const get = store.db.prepare('SELECT status, parent FROM codes WHERE code = ?');
      expect(get.get(caps[0])).toEqual({ status: 3, parent: m.cases[0]?.outer });
      expect(get.get(m.cases[0]?.outer)).toEqual({ status: 3, parent: m.palletCodes[0] });
      expect(get.get(m.cases[5]?.outer)).toEqual({ status: 3, parent: m.palletCodes[0] });
      expect(get.get(caps[8])).toEqual({ status: 1, parent: null });
      const audit = store.db.prepare(`SELECT action, actor, detail FROM audit_log WHERE action LIKE '%.manual-capture' ORDER BY seq`).all() as { action: string; actor: string; detail: string }[];
      expect(audit.map((a) => [a.action, a.actor])).toEqual([['case.manual-capture', 'op1'], ['case.manual-capture', 'op1'], ['pallet.manual-capture', 'op1']]);
      expect(JSON.parse(audit[0]?.detail ?? '{}')).toMatchObject({ method: 'handheld', capturedBy: { userId: 'op1', name: '李操作', role: 'operator' } });
      expect(store.db.prepare(`SELECT actor, reason FROM audit_log WHERE action = 'pallet.force-close'`).get()).toMatchObject({ actor: 'op1', reason: expect.stringContaining('人工采集') });
    } finally { await store.close(); }
    const verify = await runWuma(['verify', '--json'], base);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('says in plain Chinese what to scan next; Ctrl-C parks a started pallet and keeps the half case out', async () => {
    const r = await capture(op(), ['#PALLET', m.cases[5]?.outer ?? ''], { sigintAfter: '已上垛' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('请扫瓶码：共 4 个，已扫 0 个');
    expect(r.stdout).toContain('请扫箱码组垛：已扫 1/3 箱');
    expect(r.stdout).toMatch(/垛 #\d+ 已暂存/);
    const store = openStore(dir.file('wuma.db'), { checkpointer: false });
    try {
      expect(store.db.prepare('SELECT state FROM pallet_stacks').pluck().all()).toEqual(['parked']);
    } finally { await store.close(); }
  });

  it('refuses a wrong PIN and a role that may not capture, writing no capture', async () => {
    const bad = await capture(['--user', 'op1', '--pin-file', dir.file('bad.pin')], []);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('工号或 PIN 不正确');
    const it1 = await capture(['--user', 'it1', '--pin-file', dir.file('it.pin')], [m.caps[0]?.outer ?? '']);
    expect(it1.code).toBe(1);
    expect(it1.stderr).toMatch(/人工采集需要角色/);
    const usage = await capture([], []);
    expect(usage.code).toBe(2);
  });
});
