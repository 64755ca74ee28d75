import { defineMachine } from '../domain/state-machine.ts';

/**
 * The pairing station (配对工位, issue 15), one item at a time:
 *
 *   stopped ──start──► idle ──trigger──► reading ──read──► deciding ──pair──► accepting ──done──► idle
 *                                                              └──waste──► rejecting ──done──► idle
 *
 * - `stopped`: no running pairing run; triggers are refused (counted as not-running).
 * - `reading`: both readers (inner side, outer side) were triggered for this item; `read` once both answered
 *   (a no-read is an answer).
 * - `deciding`: checkPair and the ONE durable commit (commitPairingItem) of the pair or the waste row. Nothing is
 *   said to the PLC before the state leaves `deciding` (decide, commit, then act).
 * - `accepting` / `rejecting`: the PLC accept, or the reject pulse (排废) and its confirm, are in flight.
 * - `halted`: stopped safely by a fault (database error); only `reset` leaves it.
 * `pause` only between items (`idle`, `stopped`).
 */
export const PAIRING_STATION_STATES = ['stopped', 'idle', 'reading', 'deciding', 'accepting', 'rejecting', 'halted'] as const;
export type PairingStationState = (typeof PAIRING_STATION_STATES)[number];

export const PAIRING_STATION_EVENTS = ['start', 'pause', 'trigger', 'read', 'pair', 'waste', 'done', 'fault', 'reset'] as const;
export type PairingStationEvent = (typeof PAIRING_STATION_EVENTS)[number];

export const pairingStationMachine = defineMachine<PairingStationState, PairingStationEvent>('配对工位 (pairing station)', PAIRING_STATION_STATES, PAIRING_STATION_EVENTS, {
  stopped: { start: 'idle', pause: 'stopped', fault: 'halted' },
  idle: { start: 'idle', pause: 'stopped', trigger: 'reading', fault: 'halted' },
  reading: { read: 'deciding', fault: 'halted' },
  deciding: { pair: 'accepting', waste: 'rejecting', fault: 'halted' },
  accepting: { done: 'idle', fault: 'halted' },
  rejecting: { done: 'idle', fault: 'halted' },
  halted: { fault: 'halted', reset: 'stopped' },
});
