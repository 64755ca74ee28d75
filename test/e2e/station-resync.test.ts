import { afterEach, describe, expect, it } from 'vitest';
import { capsOfCase } from './batch-line-fixture.ts';
import { startTestLine, waitFor, type TestLine } from './station-fixture.ts';

/**
 * Missed triggers (issue 4 §6): cases that pass the case station without a decision are never silent. A PLC outage
 * (the driver re-baselines its trigger counter: `trigger-resync`, wrap-aware), a PLC restart and triggers while
 * the station is paused all raise "有箱子未经检测通过 (cases passed unseen)" — stop level, counted by cause, with
 * what to do — over the real Modbus PLC emulator on loopback. A counter that advanced by several edges in one poll
 * is not a loss: every one of those cases is decided, and nothing is alarmed.
 */

let line: TestLine | null = null;
afterEach(async () => { await line?.close(); line = null; });

/** A short request timeout so a dropped reply takes the link down quickly. */
const FAST = { plcTiming: { pollIntervalMs: 5, requestTimeoutMs: 250, watchdogMs: 5_000 } };

const unseenAlarm = (l: TestLine) => l.station.status().alarms.find((a) => a.kind === 'cases-unseen');

describe('missed triggers', () => {
  it('triggers during a PLC outage raise the alarm with their count after the reconnect; acknowledged by the operator', async () => {
    line = await startTestLine({ overrides: FAST });
    line.startBatch();
    await line.runCase(capsOfCase(line.material, 0), line.material.cases[0]!.outer);
    line.plc.faults.dropNext = 1;
    await waitFor('the PLC link to drop', () => line!.station.status().alarms.some((a) => a.kind === 'plc-offline'));
    line.plc.plc.advanceTrigger(3);
    await waitFor('the unseen-cases alarm', () => unseenAlarm(line!) !== undefined);
    const alarm = unseenAlarm(line)!;
    expect(alarm).toMatchObject({ level: 'stop', needsAck: true });
    expect(alarm.message).toContain('有箱子未经检测通过 (cases passed unseen)');
    expect(alarm.message).toContain('累计 3 箱');
    expect(alarm.action).toContain('人工复检');
    await waitFor('the link back', () => !line!.station.status().alarms.some((a) => a.kind === 'plc-offline'));
    const s = line.station.status();
    expect(s.caseStation?.unseen).toBe(3);
    expect(s.caseStation?.unseenCounts).toEqual({ outage: 3, restarts: 0, backlogFull: 0, notRunning: 0 });
    expect(s.lineStopped).toBe(true);
    expect(s.light).toMatchObject({ red: true, buzzer: true });
    // The gap's cases got no decision (no fake burst of triggers), and the alarm is in the audit log.
    expect(s.lastReads).toHaveLength(1);
    expect(line.station.store.db.prepare(`SELECT count(*) FROM audit_log WHERE action = 'alarm.raise' AND subject = 'cases-unseen:case'`).pluck().get()).toBe(1);
    await waitFor('the PLC line stop output', () => line!.plc.plc.snapshot().lineStop);
    expect(line.station.acknowledgeAlarm(alarm.id, 'op1')).toBe(true);
    expect(line.station.status().lineStopped).toBe(false);
    // The line runs on.
    await line.runCase(capsOfCase(line.material, 1), line.material.cases[1]!.outer);
    expect(line.station.status().lastReads[0]?.outcome).toBe('accepted');
  });

  it('a PLC restart (counter back to zero) is alarmed as an unknown number of cases', async () => {
    line = await startTestLine({ overrides: FAST });
    line.startBatch();
    await line.runCase(capsOfCase(line.material, 0), line.material.cases[0]!.outer);
    line.plc.restart();
    await waitFor('the unseen-cases alarm', () => unseenAlarm(line!) !== undefined);
    expect(unseenAlarm(line)!.message).toContain('PLC 重启');
    expect(unseenAlarm(line)!.message).toContain('箱数未知');
    expect(line.station.status().caseStation?.unseenCounts).toMatchObject({ restarts: 1, outage: 0 });
  });

  it('a counter that advanced by several in one poll is that many cases, all decided: no unseen cases, no alarm', async () => {
    line = await startTestLine();
    line.startBatch();
    for (let i = 0; i < 4; i += 1) {
      line.cameraFeed.items.push(capsOfCase(line.material, i));
      line.caseFeed.items.push([line.material.cases[i]!.outer]);
    }
    // Four edges between two polls, as a 20 ms poll sees at 100 cases/s (and at 200).
    line.plc.plc.advanceTrigger(4);
    await waitFor('all four decisions', () => line!.station.status().lastReads.length === 4 && line!.station.status().caseStation?.state === 'idle');
    const s = line.station.status();
    expect(s.lastReads.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(s.caseStation?.unseen).toBe(0);
    expect(s.caseStation?.unseenCounts).toEqual({ outage: 0, restarts: 0, backlogFull: 0, notRunning: 0 });
    expect(unseenAlarm(line)).toBeUndefined();
    expect(s.lineStopped).toBe(false);
    expect(line.station.store.db.prepare(`SELECT count(*) FROM audit_log WHERE subject = 'cases-unseen:case'`).pluck().get()).toBe(0);
  });

  it('an outage across the u16 wrap (65530 → 5) is 11 missed cases, not a PLC restart', async () => {
    line = await startTestLine({ overrides: FAST });
    // The station restarts on a PLC whose counter stands at 65530 (its baseline at connect).
    await line.station.stop();
    line.plc.plc.advanceTrigger(65_530);
    await line.restart();
    line.startBatch();
    line.plc.faults.dropNext = 1;
    await waitFor('the PLC link to drop', () => line!.station.status().alarms.some((a) => a.kind === 'plc-offline'));
    line.plc.plc.advanceTrigger(11);
    expect(line.plc.plc.snapshot().triggerCounter).toBe(5);
    await waitFor('the unseen-cases alarm', () => unseenAlarm(line!) !== undefined);
    expect(unseenAlarm(line)!.message).toContain('65530 → 5');
    expect(unseenAlarm(line)!.message).toContain('累计 11 箱');
    expect(unseenAlarm(line)!.message).not.toContain('重启');
    expect(line.station.status().caseStation?.unseenCounts).toEqual({ outage: 11, restarts: 0, backlogFull: 0, notRunning: 0 });
  });

  it('a case passing while the batch is paused is not dropped silently', async () => {
    line = await startTestLine();
    line.startBatch();
    await line.station.pauseBatch('op1');
    line.plc.plc.advanceTrigger(1);
    await waitFor('the unseen-cases alarm', () => unseenAlarm(line!) !== undefined);
    expect(unseenAlarm(line)!.message).toContain('stopped');
    line.plc.plc.advanceTrigger(1);
    await waitFor('the count to grow', () => line!.station.status().caseStation?.unseen === 2);
    expect(unseenAlarm(line)!.message).toContain('累计 2 箱');
    expect(unseenAlarm(line)!.repeats).toBe(1);
    expect(line.station.status().caseStation?.unseenCounts).toEqual({ outage: 0, restarts: 0, backlogFull: 0, notRunning: 2 });
  });
});
