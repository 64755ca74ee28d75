import { defineMachine } from '../domain/state-machine.ts';

/**
 * The case station (装箱关联, DESIGN §6, issue 4 §2), one case at a time:
 *
 *   stopped ──start──► idle ──trigger──► reading ──read──► deciding ──accept──► accepting ──done──► idle
 *                                                              └──reject──► rejecting ──done──► idle
 *
 * Print mode (`caseCode.mode: 'print'`) collects the case code through a print loop while the camera reads:
 *
 *   reading ──print──► printing ──printed──► verifying ──read──► deciding
 *      ▲                  │                     │
 *      └──print-failed────┘                     │   (code voided, next attempt with a new code)
 *      └──verify-failed─────────────────────────┘
 *
 * Out of attempts, `reading ──read──► deciding` with no case code: the case is rejected (箱码).
 * - `stopped`: no running batch; triggers are refused (the runtime logs them; the line should not run).
 * - `reading`: the multi-code camera and the case code (reader, or print + read back) are being collected.
 * - `printing`: a case code was allocated (committed) and its print job is in flight; only a confirmed print
 *   leaves by `printed`. Unknown or refused → the code is voided (`print-failed`).
 * - `verifying`: the verifier reads the printed label back; a no-read or another code → voided (`verify-failed`).
 * - `deciding`: checkCase and, on accept, the ONE commit transaction (commitCase); on reject, recordReject.
 *   Nothing is said to the PLC before the state leaves `deciding` (decide, commit, then act).
 * - `accepting` / `rejecting`: the PLC accept, or the reject pulse and its confirm, are in flight.
 * - `halted`: stopped safely by a fault (disk nearly full, database error); only `reset` leaves it, and the
 *   runtime resets only after the operator cleared the cause.
 * `pause` is allowed only between cases (`idle`, `stopped`): the runtime waits for the case in hand to finish.
 */
export const CASE_STATION_STATES = ['stopped', 'idle', 'reading', 'printing', 'verifying', 'deciding', 'accepting', 'rejecting', 'halted'] as const;
export type CaseStationState = (typeof CASE_STATION_STATES)[number];

export const CASE_STATION_EVENTS = [
  'start', 'pause', 'trigger', 'print', 'printed', 'print-failed', 'verify-failed', 'read', 'accept', 'reject', 'done', 'fault', 'reset',
] as const;
export type CaseStationEvent = (typeof CASE_STATION_EVENTS)[number];

export const caseStationMachine = defineMachine<CaseStationState, CaseStationEvent>('装箱工位 (case station)', CASE_STATION_STATES, CASE_STATION_EVENTS, {
  stopped: { start: 'idle', pause: 'stopped', fault: 'halted' },
  idle: { start: 'idle', pause: 'stopped', trigger: 'reading', fault: 'halted' },
  reading: { read: 'deciding', print: 'printing', fault: 'halted' },
  printing: { printed: 'verifying', 'print-failed': 'reading', fault: 'halted' },
  verifying: { read: 'deciding', 'verify-failed': 'reading', fault: 'halted' },
  deciding: { accept: 'accepting', reject: 'rejecting', fault: 'halted' },
  accepting: { done: 'idle', fault: 'halted' },
  rejecting: { done: 'idle', fault: 'halted' },
  halted: { fault: 'halted', reset: 'stopped' },
});
