import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCase } from '../../edge/aggregation/check-case.ts';
import { caseRulesOf } from '../../edge/store/batches.ts';
import { commitCase } from '../../edge/store/case-commit.ts';
import { codeLookup } from '../../edge/store/code-lookup.ts';
import { openStore } from '../../edge/store/open.ts';
import { allocatePalletCode, commitPallet } from '../../edge/store/pallet-commit.ts';
import { recordReject } from '../../edge/store/rejects.ts';
import { runWuma, type CliResult } from '../support/run-cli.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from './batch-line-fixture.ts';

let dir: TempDir;
let db: string;
let m: LineMaterial;
const outputs: CliResult[] = [];

async function wuma(...argv: string[]): Promise<CliResult> {
  const r = await runWuma([...argv, '--db', db], { USER: 'op1' });
  outputs.push(r);
  return r;
}

beforeEach(async () => {
  dir = makeTempDir();
  db = dir.file('wuma.db');
  const s = openStore(db, { checkpointer: false });
  m = seedLine(s.db, { cases: 4 });
  await s.close();
  outputs.length = 0;
});
afterEach(() => {
  // Whatever the commands printed, no full secret (inner) code was ever in it.
  const all = outputs.map((o) => o.stdout + o.stderr).join('\n');
  for (const c of [...m.caps, ...m.cases]) expect(all).not.toContain(c.inner);
  dir.remove();
});

/** What the station does during a shift, through the store API: 3 cases pass, 1 is rejected, 1 pallet committed. */
async function runShift(batchId: number): Promise<string> {
  const s = openStore(db, { checkpointer: false });
  try {
    for (let i = 0; i < 3; i += 1) commitCase(s.db, { batchId, caseCode: m.cases[i]?.outer ?? '', children: capsOfCase(m, i), at: Date.UTC(2026, 2, 1, 8) + i * 1000, actor: 'station', epcis: TEST_EPCIS });
    const read = { childCodes: capsOfCase(m, 3).slice(0, 3), caseCode: m.cases[3]?.outer ?? null, noRead: false };
    const d = checkCase(read, caseRulesOf(s.db, batchId), codeLookup(s.db));
    if (d.kind !== 'reject') throw new Error('expected a reject');
    recordReject(s.db, { batchId, station: 'case', findings: d.findings, read, at: Date.UTC(2026, 2, 1, 9) });
    const pallet = allocatePalletCode(s.db, batchId).code;
    commitPallet(s.db, { batchId, palletCode: pallet, cases: m.cases.slice(0, 3).map((c) => c.outer), at: Date.UTC(2026, 2, 1, 10), actor: 'station', epcis: TEST_EPCIS });
    return pallet;
  } finally {
    await s.close();
  }
}

describe('wuma batch', () => {
  it('start → pause/resume → report (json, csv, pdf) → close refused → signed close → query → verify', async () => {
    const bad = await wuma('batch', 'start', '--product', m.productId, '--lot', 'L 0301', '--date', '2026-02-30', '--line', 'A1', '--package', 'nope', '--json');
    expect(bad.code).toBe(1);
    expect(bad.json<{ error: string }>().error).toMatch(/lot[\s\S]*productionDate[\s\S]*packages\[0\]/);
    expect((await wuma('batch', 'start', '--product', m.productId, '--lot', 'L0301', '--date', '2026-03-01', '--line', 'A1')).code).toBe(2);

    const pkgArgs = packageUuids(m).flatMap((u) => ['--package', u]);
    const started = await wuma('batch', 'start', '--product', m.productId, '--lot', 'L0301', '--date', '2026-03-01', '--line', 'A1', '--planned', '4', ...pkgArgs, '--json');
    expect(started.code).toBe(0);
    const id = started.json<{ batch: { id: number; state: string } }>().batch.id;
    expect((await wuma('batch', 'pause', String(id), '--json')).json<{ batch: { state: string } }>().batch.state).toBe('paused');
    expect((await wuma('batch', 'pause', String(id))).code).toBe(1);
    expect((await wuma('batch', 'resume', String(id))).stdout).toContain('running');
    expect((await wuma('batch', 'resume', 'x')).code).toBe(2);

    const pallet = await runShift(id);

    const report = (await wuma('batch', 'report', String(id), '--json')).json<{ report: { ok: boolean; totals: { received: number; unexplained: number } } }>().report;
    expect(report).toMatchObject({ ok: false, totals: { received: 4 * 4 * 2 + 4 * 2 + 1, unexplained: 3 * 2 + 1 * 2 } });
    const csvPath = dir.file('r.csv');
    expect((await wuma('batch', 'report', String(id), '--format', 'csv', '--out', csvPath)).code).toBe(0);
    const csv = readFileSync(csvPath, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('盖外码 (cap-outer),16,1,0,12,3,0,0,0,0,0,3');
    expect((await wuma('batch', 'report', String(id), '--format', 'csv', '--out', csvPath)).code).toBe(2);
    const pdfPath = dir.file('r.pdf');
    expect((await wuma('batch', 'report', String(id), '--format', 'pdf', '--out', pdfPath)).code).toBe(0);
    const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
    expect(text).toContain('批次对账报告');
    expect(text).toContain('L0301');
    const missingFont = await runWuma(['batch', 'report', String(id), '--format', 'pdf', '--out', dir.file('x.pdf'), '--db', db], { WUMA_REPORT_FONT: dir.file('none.ttf') });
    expect(missingFont.code).toBe(1);
    expect(missingFont.stderr).toContain('WUMA_REPORT_FONT');

    const refused = await wuma('batch', 'close', String(id), '--json');
    expect(refused.code).toBe(1);
    expect(refused.json<{ details: { code: string; unexplained: number } }>().details).toEqual(expect.objectContaining({ code: 'UNEXPLAINED', unexplained: 8 }));
    expect(refused.stderr).toContain('无法解释');
    expect((await wuma('batch', 'close', String(id), '--reason', 'x')).code).toBe(2);
    expect((await wuma('batch', 'report', String(id), '--json')).json<{ report: { batch: { state: string } } }>().report.batch.state).toBe('running');
    const closed = await wuma('batch', 'close', String(id), '--reason', '剔除箱待返工，已隔离 (quarantined)', '--signed-by', 'qa-lead', '--json');
    expect(closed.code).toBe(0);
    expect(closed.json<{ batch: { state: string; closedBy: string } }>().batch).toMatchObject({ state: 'closed', closedBy: 'qa-lead' });

    const cap = m.caps[0];
    const q = (await wuma('query', cap?.outer ?? '', '--json')).json<{ ancestors: { code: string }[]; pair: { code: string } }>();
    expect(q.ancestors.map((a) => a.code)).toEqual([m.cases[0]?.outer, pallet]);
    expect(q.pair.code).toBe(`${cap?.inner.slice(0, 4)}…${cap?.inner.slice(-2)}`);
    const secret = await wuma('query', cap?.inner ?? '');
    expect(secret.code).toBe(0);
    expect(secret.stdout).toContain('盖内码');
    const rejected = await wuma('query', m.cases[3]?.outer ?? '');
    expect(rejected.stdout).toContain('剔除 (reject) #1');
    expect((await wuma('query', 'NOT-A-CODE')).code).toBe(1);
    expect((await wuma('verify')).code).toBe(0);
  });
});
