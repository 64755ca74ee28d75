import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from '../../test/e2e/batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { startBatch } from '../store/batches.ts';
import { commitCase } from '../store/case-commit.ts';
import { openStore, type Store } from '../store/open.ts';
import { reconcileBatch, type Reconciliation } from '../store/reconciliation.ts';
import { recordReject } from '../store/rejects.ts';
import { renderReconciliationCsv, renderReconciliationPdf, UTF8_BOM } from './index.ts';

let dir: TempDir;
let store: Store;
let m: LineMaterial;
let report: Reconciliation;

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  m = seedLine(store.db, { cases: 5 });
  const batchId = startBatch(store.db, { productId: m.productId, lot: 'L-0301', productionDate: '2026-03-01', line: '一号线', packages: packageUuids(m), actor: 'op1' }).id;
  for (let i = 0; i < 3; i += 1) commitCase(store.db, { batchId, caseCode: m.cases[i]?.outer ?? '', children: capsOfCase(m, i), at: Date.UTC(2026, 2, 1) + i, actor: 's', epcis: TEST_EPCIS });
  recordReject(store.db, { batchId, station: 'case', findings: [{ reason: 'missing', detail: '3 of 4' }], read: { childCodes: capsOfCase(m, 3).slice(0, 3), caseCode: m.cases[3]?.outer ?? null, noRead: false }, at: Date.UTC(2026, 2, 1, 1) });
  report = reconcileBatch(store.db, batchId, '2026-03-01T12:00:00.000Z');
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

function secrets(): string[] {
  return [...m.caps, ...m.cases].map((c) => c.inner);
}

describe('reconciliation CSV', () => {
  it('is UTF-8 with BOM and CRLF, labels in Chinese and English, the figures per level, no codes', () => {
    const csv = renderReconciliationCsv(report);
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(csv).toContain('\r\n');
    expect(csv).toContain('批号 (lot),L-0301');
    const capOuter = csv.split('\r\n').find((l) => l.startsWith('盖外码 (cap-outer),'));
    // received, printed, commissioned, aggregated, rejected, reworked, sampled, destroyed, voided, left over, unexplained
    expect(capOuter).toBe('盖外码 (cap-outer),20,5,0,12,3,0,0,0,0,0,3');
    expect(csv).toContain('缺码 (missing),1');
    for (const s of secrets()) expect(csv).not.toContain(s);
    for (const c of m.caps) expect(csv).not.toContain(c.outer);
  });
});

describe('reconciliation PDF', () => {
  it('renders Chinese labels and the figures (checked with pdftotext)', async () => {
    const pdf = await renderReconciliationPdf(report);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const path = dir.file('report.pdf');
    writeFileSync(path, pdf);
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    for (const label of ['批次对账报告', '盖外码', '箱外码', '已关联', '已剔除', '无法解释', 'L-0301', '一号线', '缺码']) expect(text).toContain(label);
    const capOuterLine = text.split('\n').find((l) => l.includes('盖外码 (cap-outer)')) ?? '';
    expect(capOuterLine.trim().split(/\s+/).slice(-11)).toEqual(['20', '5', '0', '12', '3', '0', '0', '0', '0', '0', '3']);
    for (const s of secrets()) expect(text).not.toContain(s);
  });

  it('names the missing font and how to fix it', () => {
    expect(() => renderReconciliationPdf(report, { fontPath: dir.file('no-such-font.ttc') }))
      .toThrow(expect.objectContaining({ code: 'FONT_MISSING', message: expect.stringContaining('fonts-wqy-zenhei') }));
  });
});
