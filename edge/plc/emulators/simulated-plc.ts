import type { ModbusRegisterMap } from '../register-map.ts';
import { WIDE_HOLDING, HOLDING_NAMES } from '../register-map.ts';

/**
 * The device side of the station ↔ PLC register map: the memory of a packaging-line PLC plus the bits of its
 * program the station relies on (reject kicker with a confirm sensor, photo-eye trigger counter, heartbeat, PackML
 * state). Independent of the drivers: it knows only the map (the contract) and acts on register writes.
 */
export type ConfirmMode = { readonly mode: 'delay'; readonly ms: number } | { readonly mode: 'never' };

export interface SimulatedPlcOptions {
  readonly map: ModbusRegisterMap;
  /** Kicker confirm: after `ms` (default 5 ms) or never (fault: confirm sensor dead). */
  readonly confirm?: ConfirmMode;
  /** PLC heartbeat period in ms (default 100); 0 stops it (fault: PLC program halted). */
  readonly heartbeatMs?: number;
  /** Trigger counter advance rate, edges per second (default 0: only `advanceTrigger`). */
  readonly triggerRate?: number;
  /** Initial PackML state number (default 6 Execute). */
  readonly packmlState?: number;
  /** Number of coils and holding registers that exist (default: map's highest address + 1, at least 100). */
  readonly size?: number;
}

export interface SimulatedPlcSnapshot {
  readonly lineStop: boolean;
  readonly stackLight: { readonly green: boolean; readonly yellow: boolean; readonly red: boolean; readonly buzzer: boolean };
  readonly counters: { readonly good: number; readonly reject: number; readonly noRead: number };
  readonly stationHeartbeat: number;
  readonly triggerCounter: number;
  readonly plcHeartbeat: number;
  readonly packmlState: number;
  readonly rejectConfirm: number;
  /** Every kick the PLC performed: sequence and the reason register at that moment. */
  readonly kicks: readonly { readonly sequence: number; readonly reason: number }[];
  readonly accepts: number;
}

/** Registers the PLC owns; a master writing them gets exception 02 (they are read-only for the station). */
const PLC_OWNED = ['triggerCounter', 'rejectConfirm', 'plcHeartbeat', 'packmlState'] as const;

export class SimulatedPlc {
  readonly map: ModbusRegisterMap;
  readonly coils: Uint8Array;
  readonly holding: Uint16Array;
  readonly #readOnly = new Set<number>();
  #confirm: ConfirmMode;
  #heartbeatMs: number;
  #triggerRate: number;
  readonly #initialPackml: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  #beatTimer: NodeJS.Timeout | null = null;
  #triggerTimer: NodeJS.Timeout | null = null;
  #kicks: { sequence: number; reason: number }[] = [];
  #accepts = 0;
  #stopped = false;

  constructor(options: SimulatedPlcOptions) {
    this.map = options.map;
    const h = options.map.holding;
    let highest = 0;
    for (const name of HOLDING_NAMES) highest = Math.max(highest, h[name] + (WIDE_HOLDING.has(name) ? 1 : 0));
    for (const a of Object.values(options.map.coils)) highest = Math.max(highest, a);
    const size = options.size ?? Math.max(100, highest + 1);
    this.coils = new Uint8Array(size);
    this.holding = new Uint16Array(size);
    for (const name of PLC_OWNED) this.#readOnly.add(h[name]);
    this.#confirm = options.confirm ?? { mode: 'delay', ms: 5 };
    this.#heartbeatMs = options.heartbeatMs ?? 100;
    this.#triggerRate = options.triggerRate ?? 0;
    this.#initialPackml = options.packmlState ?? 6;
    this.holding[h.packmlState] = this.#initialPackml;
    this.#startTimers();
  }

  /** Whether the master may write this holding register. */
  isWritable(address: number): boolean {
    return !this.#readOnly.has(address);
  }

  /** Called by the framing layers after a master wrote holding registers [start, start + count). */
  afterHoldingWrite(start: number, count: number, before: Uint16Array): void {
    const h = this.map.holding;
    const touched = (a: number): boolean => a >= start && a < start + count;
    if (touched(h.rejectPulse)) {
      const sequence = this.holding[h.rejectPulse]!;
      if (sequence !== 0 && sequence !== before[h.rejectPulse - start]) this.#kick(sequence);
    }
    if (touched(h.acceptPulse)) {
      const sequence = this.holding[h.acceptPulse]!;
      if (sequence !== 0 && sequence !== before[h.acceptPulse - start]) this.#accepts++;
    }
  }

  #kick(sequence: number): void {
    this.#kicks.push({ sequence, reason: this.holding[this.map.holding.rejectReason]! });
    const confirm = this.#confirm;
    if (confirm.mode === 'never') return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.holding[this.map.holding.rejectConfirm] = sequence;
    }, confirm.ms);
    this.#timers.add(timer);
  }

  advanceTrigger(edges: number): void {
    const a = this.map.holding.triggerCounter;
    this.holding[a] = (this.holding[a]! + edges) & 0xffff;
  }

  setConfirm(confirm: ConfirmMode): void {
    this.#confirm = confirm;
  }

  setPackmlState(state: number): void {
    this.holding[this.map.holding.packmlState] = state;
  }

  setHeartbeat(ms: number): void {
    this.#heartbeatMs = ms;
    this.#restartTimers();
  }

  setTriggerRate(perSecond: number): void {
    this.#triggerRate = perSecond;
    this.#restartTimers();
  }

  /** A PLC power cycle: memory back to zero (PackML to its initial state), pending confirms lost. */
  restart(): void {
    this.coils.fill(0);
    this.holding.fill(0);
    this.holding[this.map.holding.packmlState] = this.#initialPackml;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#restartTimers();
  }

  snapshot(): SimulatedPlcSnapshot {
    const c = this.map.coils;
    const h = this.map.holding;
    const u32 = (a: number): number => {
      const first = this.holding[a]!;
      const second = this.holding[a + 1]!;
      return this.map.wordOrder === 'high-first' ? first * 0x10000 + second : second * 0x10000 + first;
    };
    return {
      lineStop: this.coils[c.lineStop] === 1,
      stackLight: { green: this.coils[c.stackGreen] === 1, yellow: this.coils[c.stackYellow] === 1, red: this.coils[c.stackRed] === 1, buzzer: this.coils[c.stackBuzzer] === 1 },
      counters: { good: u32(h.goodCount), reject: u32(h.rejectCount), noRead: u32(h.noReadCount) },
      stationHeartbeat: this.holding[h.stationHeartbeat]!,
      triggerCounter: this.holding[h.triggerCounter]!,
      plcHeartbeat: this.holding[h.plcHeartbeat]!,
      packmlState: this.holding[h.packmlState]!,
      rejectConfirm: this.holding[h.rejectConfirm]!,
      kicks: [...this.#kicks],
      accepts: this.#accepts,
    };
  }

  stop(): void {
    this.#stopped = true;
    this.#stopTimers();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #startTimers(): void {
    if (this.#stopped) return;
    const h = this.map.holding;
    if (this.#heartbeatMs > 0) {
      this.#beatTimer = setInterval(() => { this.holding[h.plcHeartbeat] = (this.holding[h.plcHeartbeat]! + 1) & 0xffff; }, this.#heartbeatMs);
    }
    if (this.#triggerRate > 0) {
      this.#triggerTimer = setInterval(() => { this.advanceTrigger(1); }, Math.max(1, Math.round(1000 / this.#triggerRate)));
    }
  }

  #stopTimers(): void {
    if (this.#beatTimer) clearInterval(this.#beatTimer);
    if (this.#triggerTimer) clearInterval(this.#triggerTimer);
    this.#beatTimer = null;
    this.#triggerTimer = null;
  }

  #restartTimers(): void {
    this.#stopTimers();
    this.#startTimers();
  }
}
