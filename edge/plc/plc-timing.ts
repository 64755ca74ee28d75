import type { PlcTiming } from './plc-port.ts';

/** Defaults of the timing knobs; see PlcTiming for each meaning. */
export const DEFAULT_PLC_TIMING: PlcTiming = Object.freeze({
  pollIntervalMs: 20,
  rejectConfirmTimeoutMs: 1_000,
  heartbeatIntervalMs: 500,
  watchdogMs: 2_000,
  requestTimeoutMs: 500,
  reconnectDelayMs: 200,
});
