import type { LineCounters, PlcEvent, PlcPort, StackLight } from '../plc/plc-port.ts';
import { stackLightFor, type AlarmBoard } from './alarm-board.ts';
import type { Logger } from './logger.ts';

/**
 * Drives the PLC's station-owned outputs from the station's state: stack light and line stop from the active
 * alarms (green running / yellow warning / red + buzzer stop), and the production counters. Writes are
 * coalesced: while one write is in flight, later changes only mark the output dirty and the newest value is
 * written next, so a burst of 100 counter changes per second costs a few Modbus writes, not 100. After the PLC
 * link comes back every output is re-driven (the PLC may have restarted and forgotten them).
 * A failed write raises `plc-offline` (the driver reconnects on its own); nothing here throws into the station.
 */
export class LineSignals {
  readonly #plc: PlcPort | null;
  readonly #alarms: AlarmBoard;
  readonly #log: Logger;
  #running = false;
  #counters: LineCounters = { good: 0, reject: 0, noRead: 0 };
  #written: { light: string; stop: boolean | null; counters: string } = { light: '', stop: null, counters: '' };
  #flushing: Promise<void> = Promise.resolve();
  #busy = false;
  #dirty = false;
  #closed = false;
  readonly #unsubscribe: (() => void) | null;

  constructor(plc: PlcPort | null, alarms: AlarmBoard, log: Logger) {
    this.#plc = plc;
    this.#alarms = alarms;
    this.#log = log;
    this.#unsubscribe = plc?.onEvent((e) => { this.#onPlcEvent(e); }) ?? null;
    alarms.onChange(() => { this.#kick(); });
  }

  /** The light the station shows now (also when there is no PLC). */
  get light(): StackLight {
    return stackLightFor(this.#alarms.active(), this.#running);
  }

  /** Whether the line-stop output is (to be) set: any active stop-level alarm. */
  get lineStopped(): boolean {
    return this.#alarms.active().some((a) => a.level === 'stop');
  }

  setRunning(running: boolean): void {
    this.#running = running;
    this.#kick();
  }

  setCounters(counters: LineCounters): void {
    this.#counters = counters;
    this.#kick();
  }

  /** Forgets what was written so every output is written again (start-up, link restored). */
  redrive(): Promise<void> {
    this.#written = { light: '', stop: null, counters: '' };
    this.#kick();
    return this.settled();
  }

  /** Resolves when no write is pending. */
  async settled(): Promise<void> {
    while (this.#busy) await this.#flushing;
  }

  #onPlcEvent(e: PlcEvent): void {
    if (e.kind === 'connection-lost' || e.kind === 'heartbeat-lost') {
      this.#log.warn('PLC 通讯中断 (PLC link lost)', { event: e.kind });
      this.#alarms.raise('plc-offline', 'plc', e.kind === 'heartbeat-lost' ? `心跳停止 ${e.silentMs} ms (heartbeat lost)` : undefined);
    } else if (e.kind === 'connection-restored' || e.kind === 'heartbeat-restored') {
      this.#log.info('PLC 通讯恢复 (PLC link restored)', { event: e.kind });
      this.#alarms.clear('plc-offline:plc');
      void this.redrive();
    }
  }

  #kick(): void {
    if (this.#plc === null || this.#closed) return;
    this.#dirty = true;
    if (this.#busy) return;
    this.#busy = true;
    // #flush may finish synchronously (nothing to write): `busy`, not the promise, says whether one runs.
    this.#flushing = this.#flush();
  }

  async #flush(): Promise<void> {
    const plc = this.#plc;
    if (plc === null) return;
    // `finally` runs in the same synchronous step as the last `dirty` check (no await between them): a change
    // that arrives after it sees no flush in progress and starts a new one, so no update is lost.
    try {
      while (this.#dirty && !this.#closed) {
        this.#dirty = false;
        const light = this.light;
        const lightKey = JSON.stringify(light);
        const stop = this.lineStopped;
        const countersKey = JSON.stringify(this.#counters);
        try {
          if (stop !== this.#written.stop) { await plc.lineStop(stop); this.#written.stop = stop; }
          if (lightKey !== this.#written.light) { await plc.setStackLight(light); this.#written.light = lightKey; }
          if (countersKey !== this.#written.counters) { await plc.writeCounters(this.#counters); this.#written.counters = countersKey; }
        } catch (error) {
          if (this.#closed) return;
          this.#log.warn('PLC 输出写入失败 (PLC output write failed)', { error: error instanceof Error ? error.message : String(error) });
          // The driver reconnects by itself and reports connection-restored, which re-drives every output.
          this.#dirty = false;
          this.#alarms.raise('plc-offline', 'plc');
          return;
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  async close(): Promise<void> {
    await this.settled();
    this.#closed = true;
    this.#unsubscribe?.();
  }
}
