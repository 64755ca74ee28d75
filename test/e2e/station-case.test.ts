import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../edge/store/open.ts';
import { verifyStore } from '../../edge/store/verify.ts';
import { listRejects } from '../../edge/store/rejects.ts';
import { REJECT_REASON_NUMBER } from '../../edge/aggregation/reject-reason.ts';
import { capsOfCase } from './batch-line-fixture.ts';
import { startTestLine, waitFor, type TestLine } from './station-fixture.ts';

/**
 * The case station end to end: real reader emulators (Cognex camera, Keyence case reader), the Modbus PLC
 * emulator and SQLite on disk. Every scenario ends with `verifyStore` and a search for full inner codes.
 */

let line: TestLine | null = null;
afterEach(async () => { await line?.close(); line = null; });

/** Every place a secret could leak: log lines, the status snapshot, the audit log, the reject log. */
async function assertNoInnerCodes(l: TestLine): Promise<void> {
  const secrets = [...l.material.caps.map((c) => c.inner), ...l.material.cases.map((c) => c.inner)];
  const store = openStore(l.dbPath, { readonly: true });
  try {
    const audit = store.db.prepare('SELECT subject, reason, detail FROM audit_log').all();
    const rejects = store.db.prepare('SELECT findings, read_data FROM rejects').all();
    const haystack = [l.logs.join(''), JSON.stringify(l.station.status()), JSON.stringify(audit), JSON.stringify(rejects)].join('\n');
    const found = secrets.filter((s) => haystack.includes(s));
    expect(found, 'full inner codes found in logs, status, audit or reject log').toEqual([]);
  } finally {
    await store.close();
  }
}

function verify(l: TestLine): void {
  const report = verifyStore(l.station.store.db);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
}

describe('case station', () => {
  it('commits good cases, then tells the PLC; counters reach the PLC', async () => {
    line = await startTestLine();
    line.startBatch();
    const m = line.material;
    for (let i = 0; i < 3; i += 1) await line.runCase(capsOfCase(m, i), m.cases[i]!.outer);
    const s = line.station.status();
    expect(s.counters).toMatchObject({ good: 3, reject: 0, noRead: 0, cases: 3 });
    expect(s.lastReads[0]).toMatchObject({ outcome: 'accepted', caseCode: m.cases[2]!.outer, childCount: 4 });
    expect(s.light).toEqual({ green: true, yellow: false, red: false, buzzer: false });
    const db = line.station.store.db;
    expect(db.prepare(`SELECT count(*) FROM codes WHERE parent = ? AND status = 3`).pluck().get(m.cases[0]!.outer)).toBe(4);
    await waitFor('accepts and counters at the PLC', () => line!.plc.plc.snapshot().accepts === 3 && line!.plc.plc.snapshot().counters.good === 3);
    expect(line.plc.plc.snapshot().stackLight).toEqual({ green: true, yellow: false, red: false, buzzer: false });
    verify(line);
    await assertNoInnerCodes(line);
  });

  it('rejects missing bottle, duplicate cap, foreign code, inner code and no-read with the right reason; each pulse confirmed', async () => {
    line = await startTestLine({ consecutiveRejects: 10 });
    line.startBatch();
    const m = line.material;
    await line.runCase(capsOfCase(m, 0), m.cases[0]!.outer); // good: its caps are used from now on
    // A rejected case's valid codes become `rejected` (they re-enter only through rework): each scenario uses
    // fresh caps and a fresh case code.
    const caps = (i: number): string[] => capsOfCase(m, i);
    const box = (i: number): string => m.cases[i]!.outer;
    const scenarios: [string, readonly string[], string | null, string][] = [
      ['missing', caps(1).slice(0, 3), box(1), 'missing'],
      ['duplicate in the read', [caps(2)[0]!, caps(2)[0]!, caps(2)[1]!, caps(2)[2]!], box(2), 'duplicate'],
      ['cap already packed', [caps(0)[0]!, ...caps(3).slice(1)], box(3), 'duplicate'],
      ['foreign code', [...caps(4).slice(0, 3), 'FOREIGN000001'], box(4), 'foreign'],
      ['cap-inner under the camera', [...caps(5).slice(0, 3), m.caps[0]!.inner], box(5), 'wrong'],
      ['no-read', [], box(6), 'no-read'],
      ['case code not read', caps(7), null, 'case-code'],
    ];
    for (const [name, children, caseCode, reason] of scenarios) {
      await line.runCase(children, caseCode);
      const last = line.station.status().lastReads[0]!;
      expect(last.outcome, name).toBe('rejected');
      expect(last.reasons[0], name).toBe(reason);
      expect(last.confirm, name).toBe('confirmed');
    }
    const kicks = line.plc.plc.snapshot().kicks;
    expect(kicks.map((k) => k.reason)).toEqual(scenarios.map(([, , , r]) => REJECT_REASON_NUMBER[r as keyof typeof REJECT_REASON_NUMBER]));
    const rejects = listRejects(line.station.store.db, line.station.status().batch!.id);
    expect(rejects.map((r) => r.confirm)).toEqual(scenarios.map(() => 'confirmed'));
    expect(line.station.status().counters).toMatchObject({ good: 1, reject: scenarios.length, noRead: 1 });
    expect(line.station.status().alarms).toEqual([]);
    // The cap-inner code shows masked in the last reads, never in full.
    const inner = m.caps[0]!.inner;
    expect(JSON.stringify(line.station.status().lastReads)).toContain(`${inner.slice(0, 4)}…${inner.slice(-2)}`);
    verify(line);
    await assertNoInnerCodes(line);
  });

  it('a PLC that never confirms the reject raises the alarm, red light and buzzer, line stop; acknowledge clears it', async () => {
    line = await startTestLine({ confirm: { mode: 'never' }, rejectConfirmTimeoutMs: 200 });
    line.startBatch();
    const m = line.material;
    await line.runCase(capsOfCase(m, 0).slice(0, 3), m.cases[0]!.outer);
    const s = line.station.status();
    expect(s.lastReads[0]).toMatchObject({ outcome: 'rejected', confirm: 'not-confirmed' });
    const alarm = s.alarms.find((a) => a.kind === 'reject-not-confirmed');
    expect(alarm?.message).toContain('剔除未确认：不良箱可能仍在线上');
    expect(alarm?.action).toMatch(/返工台/);
    expect(s.light).toEqual({ green: false, yellow: false, red: true, buzzer: true });
    await waitFor('red light and line stop at the PLC', () => line!.plc.plc.snapshot().stackLight.red && line!.plc.plc.snapshot().lineStop);
    expect(listRejects(line.station.store.db, s.batch!.id)[0]?.confirm).toBe('not-confirmed');
    expect(line.station.acknowledgeAlarm(alarm!.id, 'operator-1')).toBe(true);
    await waitFor('green light after the acknowledge', () => line!.plc.plc.snapshot().stackLight.green && !line!.plc.plc.snapshot().lineStop);
    const audit = line.station.store.db.prepare(`SELECT action, actor FROM audit_log WHERE action LIKE 'alarm.%' OR action = 'reject.not-confirmed' ORDER BY seq`).all();
    expect(audit).toEqual([
      { action: 'reject.not-confirmed', actor: 'plc' },
      { action: 'alarm.raise', actor: 'station' },
      { action: 'alarm.clear', actor: 'operator-1' },
    ]);
    verify(line);
    await assertNoInnerCodes(line);
  });

  it('N rejects in a row raise the alarm (yellow); the next good case clears it', async () => {
    line = await startTestLine({ consecutiveRejects: 3 });
    line.startBatch();
    const m = line.material;
    for (let i = 0; i < 2; i += 1) await line.runCase([], m.cases[i]!.outer);
    expect(line.station.status().alarms).toEqual([]);
    await line.runCase([], m.cases[2]!.outer);
    const s = line.station.status();
    expect(s.alarms.map((a) => a.kind)).toEqual(['consecutive-rejects']);
    expect(s.alarms[0]!.message).toContain('连续 3 箱剔除');
    expect(s.light).toEqual({ green: false, yellow: true, red: false, buzzer: false });
    await line.runCase(capsOfCase(m, 3), m.cases[3]!.outer);
    expect(line.station.status().alarms).toEqual([]);
    expect(line.station.status().counters).toMatchObject({ good: 1, reject: 3, noRead: 3 });
    verify(line);
    await assertNoInnerCodes(line);
  });

  it('a nearly full disk stops the station safely before the commit: red, line stop, nothing written; reset resumes', async () => {
    let free = 10 * 1024 ** 3;
    line = await startTestLine({ overrides: { freeSpace: () => free } });
    line.startBatch();
    const m = line.material;
    await line.runCase(capsOfCase(m, 0), m.cases[0]!.outer);
    free = 1024 ** 2; // 1 MiB left, below the 16 MiB limit
    await new Promise((r) => setTimeout(r, 300)); // past the statfs cache
    line.cameraFeed.items.push(capsOfCase(m, 1));
    line.caseFeed.items.push([m.cases[1]!.outer]);
    line.plc.plc.advanceTrigger(1);
    await waitFor('the safe stop', () => line!.station.status().caseStation?.state === 'halted');
    expect(line.station.status().alarms.map((a) => a.kind)).toEqual(['disk-low']);
    await waitFor('line stop at the PLC', () => line!.plc.plc.snapshot().lineStop && line!.plc.plc.snapshot().stackLight.red);
    expect(line.station.store.db.prepare(`SELECT count(*) FROM containers WHERE code = ?`).pluck().get(m.cases[1]!.outer)).toBe(0);
    expect(line.station.reset('it-1')).toBe(false);
    free = 10 * 1024 ** 3;
    expect(line.station.reset('it-1')).toBe(true);
    await line.runCase(capsOfCase(m, 1), m.cases[1]!.outer);
    expect(line.station.status().counters.good).toBe(2);
    await waitFor('line running again', () => !line!.plc.plc.snapshot().lineStop);
    verify(line);
  });
});
