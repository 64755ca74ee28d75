import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlcError } from './errors.ts';
import type { PlcEvent, PlcPort, PlcTiming, TriggerEvent } from './plc-port.ts';

/**
 * The shared PLC conformance suite (STYLE.md "Tests": one `*.case.ts` run against every implementation).
 * Each pair is a driver connected over a real transport to a PLC peer (our emulators, pymodbus); the peer's
 * control side lets the suite act as the line (photo-eye edges, kicker confirm, PackML state, PLC heartbeat)
 * and read back what the station wrote.
 */
export interface PeerSnapshot {
  readonly lineStop: boolean;
  readonly stackLight: { readonly green: boolean; readonly yellow: boolean; readonly red: boolean; readonly buzzer: boolean };
  readonly counters: { readonly good: number; readonly reject: number; readonly noRead: number };
  readonly stationHeartbeat: number;
  readonly kicks: readonly { readonly sequence: number; readonly reason: number }[];
  readonly accepts: number;
}

export interface PlcPeer {
  advanceTrigger(edges: number): Promise<void>;
  setConfirm(confirm: { readonly mode: 'delay'; readonly ms: number } | { readonly mode: 'never' }): Promise<void>;
  setPackmlState(state: number): Promise<void>;
  /** PLC heartbeat period; 0 stops it. */
  setHeartbeat(ms: number): Promise<void>;
  snapshot(): Promise<PeerSnapshot>;
}

export interface PlcPair {
  readonly port: PlcPort;
  readonly peer: PlcPeer;
  close(): Promise<void>;
}

/** Timing every pair is opened with, so the suite's waits are bounded and short. */
export const CONFORMANCE_TIMING: Partial<PlcTiming> = {
  pollIntervalMs: 10,
  rejectConfirmTimeoutMs: 400,
  heartbeatIntervalMs: 50,
  watchdogMs: 400,
  requestTimeoutMs: 500,
  reconnectDelayMs: 50,
};

/** Polls `check` every 10 ms until it returns true or `ms` passes (bounded in time and count). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => { setTimeout(resolve, 10); });
  }
}

export function describePlcConformance(name: string, open: () => Promise<PlcPair>): void {
  describe(`PLC conformance: ${name}`, () => {
    let pair: PlcPair;
    const events: PlcEvent[] = [];
    beforeEach(async () => {
      events.length = 0;
      pair = await open();
      pair.port.onEvent((e) => { events.push(e); });
    });
    afterEach(async () => {
      await pair.close();
    });

    it('reads the PackML state (OPC 30050 number and name) and follows its changes', async () => {
      const status = await pair.port.readStatus();
      expect(status.packml).toEqual({ number: 6, name: 'Execute' });
      await pair.peer.setPackmlState(11);
      expect((await pair.port.readStatus()).packml).toEqual({ number: 11, name: 'Held' });
    });

    it('rejects a PackML number outside 0..17 as a protocol error', async () => {
      await pair.peer.setPackmlState(99);
      const error = await pair.port.readStatus().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(PlcError);
      expect((error as PlcError).code).toBe('PLC_PROTOCOL');
      expect((error as PlcError).message).toContain('99');
    });

    it('pulses a reject and sees the kicker confirm for that very pulse', async () => {
      const outcome = await pair.port.pulseReject(7);
      expect(outcome.kind).toBe('confirmed');
      const snap = await pair.peer.snapshot();
      expect(snap.kicks).toEqual([{ sequence: outcome.sequence, reason: 7 }]);
    });

    it('gives consecutive pulses distinct sequences, each with its own reason', async () => {
      const outcomes = [];
      for (const reason of [1, 2, 3, 65_535]) outcomes.push(await pair.port.pulseReject(reason));
      expect(outcomes.map((o) => o.kind)).toEqual(['confirmed', 'confirmed', 'confirmed', 'confirmed']);
      expect(new Set(outcomes.map((o) => o.sequence)).size).toBe(4);
      const snap = await pair.peer.snapshot();
      expect(snap.kicks.map((k) => k.reason)).toEqual([1, 2, 3, 65_535]);
      expect(snap.kicks.map((k) => k.sequence)).toEqual(outcomes.map((o) => o.sequence));
    });

    it('serialises concurrent pulses instead of mixing their confirms', async () => {
      const outcomes = await Promise.all([pair.port.pulseReject(11), pair.port.pulseReject(12), pair.port.pulseReject(13)]);
      expect(outcomes.every((o) => o.kind === 'confirmed')).toBe(true);
      expect((await pair.peer.snapshot()).kicks.map((k) => k.reason)).toEqual([11, 12, 13]);
    });

    it('reports not-confirmed after the timeout when the confirm never comes, and recovers', async () => {
      await pair.peer.setConfirm({ mode: 'never' });
      const lost = await pair.port.pulseReject(9);
      expect(lost.kind).toBe('not-confirmed');
      if (lost.kind === 'not-confirmed') expect(lost.waitedMs).toBeGreaterThanOrEqual(CONFORMANCE_TIMING.rejectConfirmTimeoutMs!);
      await pair.peer.setConfirm({ mode: 'delay', ms: 5 });
      const next = await pair.port.pulseReject(10);
      expect(next.kind).toBe('confirmed');
      expect(next.sequence).not.toBe(lost.sequence);
    });

    it('refuses a reject reason outside 1..65535 without touching the PLC', async () => {
      await expect(pair.port.pulseReject(0)).rejects.toThrow(/1\.\.65535/);
      await expect(pair.port.pulseReject(70_000)).rejects.toThrow(/1\.\.65535/);
      expect((await pair.peer.snapshot()).kicks).toEqual([]);
    });

    it('sends accepts as new sequence numbers the PLC counts', async () => {
      await pair.port.accept();
      await pair.port.accept();
      await eventually(async () => (await pair.peer.snapshot()).accepts === 2, 2_000, 'two accepts');
    });

    it('reports trigger counter advances, including missed edges (advanced by 3)', async () => {
      const triggers: TriggerEvent[] = [];
      const off = pair.port.onTrigger((t) => { triggers.push(t); });
      await pair.peer.advanceTrigger(1);
      await eventually(() => triggers.length === 1, 2_000, 'first trigger');
      await pair.peer.advanceTrigger(3);
      await eventually(() => triggers.length === 2, 2_000, 'second trigger');
      off();
      expect(triggers.map((t) => t.advancedBy)).toEqual([1, 3]);
      expect(triggers[1]!.counter - triggers[0]!.counter).toBe(3);
    });

    it('writes the stack light, line stop and 32-bit counters', async () => {
      await pair.port.setStackLight({ green: false, yellow: true, red: true, buzzer: false });
      await pair.port.lineStop(true);
      await pair.port.writeCounters({ good: 70_001, reject: 65_536, noRead: 4_294_967_295 });
      let snap = await pair.peer.snapshot();
      expect(snap.stackLight).toEqual({ green: false, yellow: true, red: true, buzzer: false });
      expect(snap.lineStop).toBe(true);
      expect(snap.counters).toEqual({ good: 70_001, reject: 65_536, noRead: 4_294_967_295 });
      await pair.port.setStackLight({ green: true, yellow: false, red: false, buzzer: true });
      await pair.port.lineStop(false);
      snap = await pair.peer.snapshot();
      expect(snap.stackLight).toEqual({ green: true, yellow: false, red: false, buzzer: true });
      expect(snap.lineStop).toBe(false);
    });

    it('keeps the station heartbeat moving', async () => {
      const first = (await pair.peer.snapshot()).stationHeartbeat;
      await eventually(async () => (await pair.peer.snapshot()).stationHeartbeat !== first, 2_000, 'station heartbeat change');
    });

    it('raises heartbeat-lost when the PLC heartbeat stops and heartbeat-restored when it resumes', async () => {
      await pair.peer.setHeartbeat(0);
      await eventually(() => events.some((e) => e.kind === 'heartbeat-lost'), 3_000, 'heartbeat-lost');
      await pair.peer.setHeartbeat(50);
      await eventually(() => events.some((e) => e.kind === 'heartbeat-restored'), 3_000, 'heartbeat-restored');
    });
  });
}
