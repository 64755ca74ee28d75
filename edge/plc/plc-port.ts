/**
 * The PLC port the station uses (types only). Drivers (Modbus TCP/RTU, OPC UA) implement it; the station never
 * sees registers or node ids. Per-item facts (a trigger, a reject and its confirmation) are counted or sequenced so
 * a missed edge is visible: the station is told "the trigger counter advanced by 2", never silently given one.
 */
import type { PackmlState } from './packml.ts';

export type { PackmlState, PackmlStateName, PackmlStateNumber } from './packml.ts';

export type PlcDriverKind = 'modbus-tcp' | 'modbus-rtu' | 'opcua';

export interface StackLight {
  readonly green: boolean;
  readonly yellow: boolean;
  readonly red: boolean;
  readonly buzzer: boolean;
}

/** Station-owned production counters, written to the PLC for its HMI (32-bit unsigned, wrap at 2^32). */
export interface LineCounters {
  readonly good: number;
  readonly reject: number;
  readonly noRead: number;
}

/** The result of a reject pulse: the kicker's confirm input was seen, or it was not within the timeout. */
export type RejectOutcome =
  | { readonly kind: 'confirmed'; readonly sequence: number; readonly elapsedMs: number }
  | { readonly kind: 'not-confirmed'; readonly sequence: number; readonly waitedMs: number };

/** One poll of the trigger counter found it advanced. `advancedBy > 1` means edges were missed between polls. */
export interface TriggerEvent {
  readonly counter: number;
  readonly advancedBy: number;
  /** Date.now() of the poll (or event) that saw it. */
  readonly at: number;
}

/** A snapshot of what the PLC reports. */
export interface PlcStatus {
  readonly triggerCounter: number;
  readonly plcHeartbeat: number;
  readonly rejectConfirm: number;
  readonly packml: PackmlState;
}

/** Link and watchdog facts the station turns into alarms. */
export type PlcEvent =
  | { readonly kind: 'trigger'; readonly trigger: TriggerEvent }
  | { readonly kind: 'heartbeat-lost'; readonly lastBeat: number; readonly silentMs: number }
  | { readonly kind: 'heartbeat-restored'; readonly beat: number }
  | { readonly kind: 'connection-lost'; readonly error: Error }
  | { readonly kind: 'connection-restored' }
  /** After a reconnect the trigger counter is re-read as a new baseline; triggers in the gap are unknown. */
  | { readonly kind: 'trigger-resync'; readonly previous: number; readonly current: number };

export interface PlcPort {
  readonly kind: PlcDriverKind;
  /** Opens the link, reads the first trigger counter as baseline, starts polling and the station heartbeat. */
  connect(): Promise<void>;
  /** Stops timers and closes the link; idempotent. */
  close(): Promise<void>;
  /**
   * Asks the PLC to kick the current item out with `reason` (1..65535). Resolves `confirmed` when the PLC reports
   * the kicker's confirm input for this very pulse, or `not-confirmed` after the configured confirm timeout.
   * Pulses are serialised: a second call waits for the first to finish. Throws only when the link fails.
   */
  pulseReject(reason: number): Promise<RejectOutcome>;
  /** Tells the PLC the current item passed (no confirmation exists for an accept). */
  accept(): Promise<void>;
  setStackLight(light: StackLight): Promise<void>;
  lineStop(on: boolean): Promise<void>;
  writeCounters(counters: LineCounters): Promise<void>;
  /** Reads trigger counter, heartbeat, reject confirm and PackML state (read-only tags) now. */
  readStatus(): Promise<PlcStatus>;
  /** Subscribes to triggers; returns the unsubscribe function. */
  onTrigger(listener: (event: TriggerEvent) => void): () => void;
  /** Subscribes to every event (triggers, watchdog, link); returns the unsubscribe function. */
  onEvent(listener: (event: PlcEvent) => void): () => void;
}

/** Timing knobs shared by all drivers (milliseconds). */
export interface PlcTiming {
  /** How often the trigger counter and the PLC heartbeat are polled (Modbus) — default 20 ms. */
  readonly pollIntervalMs: number;
  /** How long pulseReject waits for the confirm — default 1000 ms ([?] depends on conveyor length and kicker). */
  readonly rejectConfirmTimeoutMs: number;
  /** How often the station heartbeat is incremented — default 500 ms. */
  readonly heartbeatIntervalMs: number;
  /** PLC heartbeat unchanged for this long raises `heartbeat-lost` — default 2000 ms. */
  readonly watchdogMs: number;
  /** One request's timeout — default 500 ms. */
  readonly requestTimeoutMs: number;
  /** First reconnect delay, doubled up to 5 s — default 200 ms. */
  readonly reconnectDelayMs: number;
}
