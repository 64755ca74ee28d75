import { defineMachine } from '../domain/state-machine.ts';

/**
 * The pallet station (组垛关联, DESIGN §6, issue 4 §3):
 *
 *   stopped ──start──► stacking ──close──► labelling ──printed──► verifying ──committed──► stacking
 *                        ▲  │ case/park/resume     │ print-failed (void, new code)  │ verify-failed (void, reprint)
 *                        │  └──────────────────────┴────────── give-up ────────────┘
 *
 * - `stacking`: case codes read while stacking go onto the open pallet stack (persisted per case).
 * - `close`: the ratio is reached, or the operator ends the pallet (a short pallet needs a signed reason).
 * - `labelling`: a pallet code is allocated and its label printed; a print whose fate is not `printed` voids
 *   the code and tries again with a new one (`print-failed` stays in `labelling`).
 * - `verifying`: the verifier reads the label back; a wrong or missing read voids the code and reprints.
 *   `committed`: commitPallet succeeded in one transaction.
 * - `give-up`: too many failed labels; the stack stays open and an alarm tells the operator what to do.
 * - Cases read while labelling or verifying belong to the next pallet: they are held and stacked after commit.
 * - `halted`: stopped safely (disk nearly full, database error); only `reset` leaves it.
 */
export const PALLET_STATION_STATES = ['stopped', 'stacking', 'labelling', 'verifying', 'halted'] as const;
export type PalletStationState = (typeof PALLET_STATION_STATES)[number];

export const PALLET_STATION_EVENTS = [
  'start', 'pause', 'case', 'close', 'printed', 'print-failed', 'verify-failed', 'committed', 'give-up', 'park', 'resume', 'fault', 'reset',
] as const;
export type PalletStationEvent = (typeof PALLET_STATION_EVENTS)[number];

export const palletStationMachine = defineMachine<PalletStationState, PalletStationEvent>('组垛工位 (pallet station)', PALLET_STATION_STATES, PALLET_STATION_EVENTS, {
  stopped: { start: 'stacking', pause: 'stopped', fault: 'halted' },
  stacking: { start: 'stacking', pause: 'stopped', case: 'stacking', close: 'labelling', park: 'stacking', resume: 'stacking', fault: 'halted' },
  labelling: { case: 'labelling', printed: 'verifying', 'print-failed': 'labelling', 'give-up': 'stacking', fault: 'halted' },
  verifying: { case: 'verifying', 'verify-failed': 'labelling', committed: 'stacking', 'give-up': 'stacking', fault: 'halted' },
  halted: { fault: 'halted', reset: 'stopped' },
});
