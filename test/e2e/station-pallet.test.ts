import { afterEach, describe, expect, it } from 'vitest';
import { verifyStore } from '../../edge/store/verify.ts';
import { capsOfCase } from './batch-line-fixture.ts';
import { NEIGHBOUR_LABEL, startTestLine, waitFor, type TestLine } from './station-fixture.ts';

/**
 * The pallet station end to end: a text reader at the stacker, the ZPL printer emulator and a Cognex verifier
 * that reads back what was printed, plus restart recovery of an open pallet.
 */

let line: TestLine | null = null;
afterEach(async () => { await line?.close(); line = null; });

async function packCases(l: TestLine, n: number): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < n; i += 1) {
    await l.runCase(capsOfCase(l.material, i), l.material.cases[i]!.outer);
    codes.push(l.material.cases[i]!.outer);
  }
  return codes;
}

function verify(l: TestLine): void {
  expect(verifyStore(l.station.store.db).checks.filter((c) => !c.ok)).toEqual([]);
}

describe('pallet station', () => {
  it('closes the pallet at the ratio with a printed and verified label, then starts the next', async () => {
    line = await startTestLine();
    line.startBatch();
    const cases = await packCases(line, 4);
    for (const c of cases.slice(0, 3)) await line.stackCase(c);
    await waitFor('the pallet commit', () => line!.station.status().palletStation?.pallets === 1);
    const p = line.station.status().palletStation!;
    expect(p.lastPallet?.cases).toBe(3);
    const palletCode = p.lastPallet!.code;
    expect(line.printer.printed.map((x) => x.code)).toEqual([palletCode]);
    const db = line.station.store.db;
    expect(db.prepare('SELECT count(*) FROM codes WHERE parent = ? AND status = 3').pluck().get(palletCode)).toBe(3);
    await line.stackCase(cases[3]!);
    expect(line.station.status().palletStation).toMatchObject({ cases: 1, pallets: 1, state: 'stacking' });
    verify(line);
  });

  // Exactly one code in view, the one printed: a no-read, and a read of the label with a neighbour's beside it
  // (even though one of the two is the pallet's code), both fail the verification with their reason.
  it.each([
    { fault: 'smudged', why: '复核未读到 (verifier no-read)' },
    { fault: 'neighbour', why: '视野中有 2 个码，应只有一个 (2 codes in view; exactly one expected)' },
  ] as const)('a label read back $fault is not verified: its code is voided and a new one printed', async ({ fault, why }) => {
    line = await startTestLine();
    line.startBatch();
    const cases = await packCases(line, 3);
    line.labelFeed[fault] = 1;
    for (const c of cases) await line.stackCase(c);
    await waitFor('the pallet commit', () => line!.station.status().palletStation?.pallets === 1);
    const printed = line.printer.printed.map((x) => x.code);
    expect(printed).toHaveLength(2);
    const db = line.station.store.db;
    expect(db.prepare('SELECT status FROM codes WHERE code = ?').pluck().get(printed[0])).toBe(8); // voided
    const voided = db.prepare(`SELECT reason FROM audit_log WHERE action = 'codes.void' ORDER BY seq`).pluck().all();
    expect(voided).toEqual([`垛标签复核失败 (pallet label not verified): ${why}`]);
    expect(line.logs.filter((l) => l.includes(NEIGHBOUR_LABEL))).toEqual([]);
    expect(line.station.status().palletStation?.lastPallet?.code).toBe(printed[1]);
    verify(line);
  });

  it('a restart resumes the open pallet from the database; force close of a short pallet needs a reason', async () => {
    line = await startTestLine();
    line.startBatch();
    const cases = await packCases(line, 3);
    await line.stackCase(cases[0]!);
    await line.stackCase(cases[1]!);
    await line.restart();
    expect(line.station.status().running).toBe(true);
    expect(line.station.status().palletStation).toMatchObject({ cases: 2, state: 'stacking' });
    await expect(line.station.endPallet({ actor: 'op' })).rejects.toThrow(/原因/);
    const outcome = await line.station.endPallet({ actor: 'op', reason: '换班，尾垛 (end of shift)' });
    expect(outcome).toMatchObject({ kind: 'committed', cases: 2, short: true });
    const audit = line.station.store.db.prepare(`SELECT actor, reason FROM audit_log WHERE action = 'pallet.force-close'`).get();
    expect(audit).toEqual({ actor: 'op', reason: '换班，尾垛 (end of shift)' });
    verify(line);
  });

  it('park and resume keep the stack; a case of no packed case is refused with an alarm', async () => {
    line = await startTestLine();
    line.startBatch();
    const cases = await packCases(line, 2);
    await line.stackCase(cases[0]!);
    const parked = line.station.parkPallet('op');
    expect(parked.cases).toEqual([cases[0]]);
    await line.stackCase(line.material.cases[5]!.outer); // never packed
    expect(line.station.status().alarms.map((a) => a.kind)).toEqual(['pallet-case-refused']);
    expect(line.station.resumePallet(parked.id, 'op').cases).toEqual([cases[0]]);
    await line.stackCase(cases[1]!);
    expect(line.station.status().palletStation).toMatchObject({ stackId: parked.id, cases: 2 });
    verify(line);
  });
});
