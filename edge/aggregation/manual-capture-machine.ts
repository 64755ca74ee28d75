import { defineMachine } from '../domain/state-machine.ts';

/**
 * Manual capture with a handheld scanner when a camera is down (人工采集, DESIGN §6 "Rework", issue 4 §4):
 *
 *   case-children ──full──► case-code ──committed──► case-children
 *        │  ▲ child / clear        │ clear (start the case again)
 *   to-pallet │ to-case
 *        ▼  │
 *   pallet-cases ──full / end-pallet──► pallet-code ──committed──► pallet-cases
 *        ▲ case                          │ clear (back to stacking; the cases stay on the stack)
 *
 * - `case-children`: scanning the child codes (bottle cap-outer, or box) of one case, up to the product's ratio.
 *   `full`: the ratio is reached → the station asks for the case code.
 * - `case-code`: the next scan is the case-outer code; `committed`: the case passed checkCase and was committed.
 * - `pallet-cases`: scanning case codes onto a pallet stack (each persisted as it is scanned);
 *   `full` (ratio) or `end-pallet` (the operator ends a short pallet) → the station asks for the pallet label.
 * - `pallet-code`: the next scan is the pallet code; `committed`: the pallet was committed.
 * - Switching level (`to-pallet` / `to-case`) is allowed only between units, never with a half case.
 * - `quit` (Ctrl-D, SIGINT) ends the session from any live state; a half case is dropped, not committed.
 * Refused scans (bad, duplicate, foreign code) are outcomes of the session, not transitions.
 */
export const MANUAL_CAPTURE_STATES = ['case-children', 'case-code', 'pallet-cases', 'pallet-code', 'ended'] as const;
export type ManualCaptureState = (typeof MANUAL_CAPTURE_STATES)[number];

export const MANUAL_CAPTURE_EVENTS = ['child', 'full', 'case', 'end-pallet', 'committed', 'clear', 'to-case', 'to-pallet', 'quit'] as const;
export type ManualCaptureEvent = (typeof MANUAL_CAPTURE_EVENTS)[number];

export const manualCaptureMachine = defineMachine<ManualCaptureState, ManualCaptureEvent>('人工采集 (manual capture)', MANUAL_CAPTURE_STATES, MANUAL_CAPTURE_EVENTS, {
  'case-children': { child: 'case-children', full: 'case-code', clear: 'case-children', 'to-case': 'case-children', 'to-pallet': 'pallet-cases', quit: 'ended' },
  'case-code': { committed: 'case-children', clear: 'case-children', quit: 'ended' },
  'pallet-cases': { case: 'pallet-cases', full: 'pallet-code', 'end-pallet': 'pallet-code', clear: 'pallet-cases', 'to-case': 'case-children', 'to-pallet': 'pallet-cases', quit: 'ended' },
  'pallet-code': { committed: 'pallet-cases', clear: 'pallet-cases', quit: 'ended' },
  ended: {},
});
