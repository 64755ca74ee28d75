import { DEFAULT_PLC_TIMING } from '../plc-timing.ts';
import type { PlcEvent, PlcTiming, RejectOutcome, TriggerEvent } from '../plc-port.ts';
import { PlcListeners } from './plc-listeners.ts';

/** idle → open ⇄ down → closed. `down`: the link broke and is being repaired. */
export type PlcLinkState = 'idle' | 'open' | 'down' | 'closed';

/**
 * What every PLC driver shares: its listeners, the poll loop (every `pollIntervalMs`), the station heartbeat
 * (a u16 written every `heartbeatIntervalMs`, skipped while the link is not open), the watchdog on the PLC
 * heartbeat (`heartbeat-lost` once it stays unchanged for `watchdogMs`, `heartbeat-restored` when it moves) and
 * the one-at-a-time queue of reject pulses. Drivers supply one poll step, the heartbeat write and one pulse.
 */
export abstract class PolledPlc {
  protected readonly timing: PlcTiming;
  protected state: PlcLinkState = 'idle';
  readonly #listeners = new PlcListeners();
  #pollTimer: NodeJS.Timeout | null = null;
  #beatTimer: NodeJS.Timeout | null = null;
  #stationBeat = 0;
  #lastPlcBeat = -1;
  #lastPlcBeatAt = 0;
  #heartbeatLost = false;
  #pulseLock: Promise<unknown> = Promise.resolve();

  protected constructor(timing: Partial<PlcTiming> | undefined) {
    this.timing = { ...DEFAULT_PLC_TIMING, ...timing };
  }

  /** One poll (the loop schedules the next when it settles; errors are the step's own business). */
  protected abstract pollOnce(): Promise<void>;
  /** Writes the station heartbeat; a failure is ignored (the next beat retries). */
  protected abstract writeStationBeat(beat: number): Promise<void>;
  /** One reject pulse and the wait for its confirm; `pulseReject` runs them one at a time. */
  protected abstract pulseOnce(reason: number): Promise<RejectOutcome>;

  pulseReject(reason: number): Promise<RejectOutcome> {
    if (!Number.isInteger(reason) || reason < 1 || reason > 0xffff) {
      return Promise.reject(new RangeError(`剔除原因应为 1..65535，收到 ${reason} (reject reason must be 1..65535)`));
    }
    const run = this.#pulseLock.catch(() => undefined).then(() => this.pulseOnce(reason));
    this.#pulseLock = run;
    return run;
  }

  /** Resolves once the pulses already asked for have finished (however they ended). */
  protected async pulsesDone(): Promise<void> {
    await this.#pulseLock.catch(() => undefined);
  }

  onTrigger(listener: (event: TriggerEvent) => void): () => void {
    return this.#listeners.onTrigger(listener);
  }

  onEvent(listener: (event: PlcEvent) => void): () => void {
    return this.#listeners.onEvent(listener);
  }

  protected emit(event: PlcEvent): void {
    this.#listeners.emit(event);
  }

  /** The PLC heartbeat read at connect: the watchdog counts from now. */
  protected heartbeatBaseline(beat: number): void {
    this.#lastPlcBeat = beat;
    this.#lastPlcBeatAt = Date.now();
  }

  /** The link is up: starts polling and the station heartbeat (its first write at once). */
  protected startLoops(): void {
    this.state = 'open';
    this.#schedulePoll();
    this.#scheduleBeat(0);
  }

  /** Stops both loops for good (`closed`); false when already closed. */
  protected stopLoops(): boolean {
    if (this.state === 'closed') return false;
    this.state = 'closed';
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    if (this.#beatTimer) clearTimeout(this.#beatTimer);
    return true;
  }

  /** Feeds one PLC heartbeat reading to the watchdog. */
  protected watchHeartbeat(beat: number, now: number): void {
    if (beat !== this.#lastPlcBeat) {
      this.#lastPlcBeat = beat;
      this.#lastPlcBeatAt = now;
      if (this.#heartbeatLost) {
        this.#heartbeatLost = false;
        this.emit({ kind: 'heartbeat-restored', beat });
      }
    } else if (!this.#heartbeatLost && now - this.#lastPlcBeatAt >= this.timing.watchdogMs) {
      this.#heartbeatLost = true;
      this.emit({ kind: 'heartbeat-lost', lastBeat: beat, silentMs: now - this.#lastPlcBeatAt });
    }
  }

  #schedulePoll(): void {
    if (this.state === 'closed') return;
    this.#pollTimer = setTimeout(() => { void this.pollOnce().finally(() => { this.#schedulePoll(); }); }, this.timing.pollIntervalMs);
  }

  #scheduleBeat(delay: number): void {
    if (this.state === 'closed') return;
    this.#beatTimer = setTimeout(() => {
      if (this.state !== 'open') { this.#scheduleBeat(this.timing.heartbeatIntervalMs); return; }
      this.#stationBeat = (this.#stationBeat + 1) & 0xffff;
      void this.writeStationBeat(this.#stationBeat)
        .catch(() => undefined)
        .finally(() => { this.#scheduleBeat(this.timing.heartbeatIntervalMs); });
    }, delay);
  }
}
