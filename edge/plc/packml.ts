/**
 * PackML machine state numbers (OPC 30050 / ISA-TR88.00.02 PackTags `StateCurrent`; notes/standards.md §3.3).
 * 0 is "undefined" (a PLC that has not set the tag yet).
 */
export const PACKML_STATES = {
  0: 'Undefined', 1: 'Clearing', 2: 'Stopped', 3: 'Starting', 4: 'Idle', 5: 'Suspended', 6: 'Execute', 7: 'Stopping',
  8: 'Aborting', 9: 'Aborted', 10: 'Holding', 11: 'Held', 12: 'Unholding', 13: 'Suspending', 14: 'Unsuspending',
  15: 'Resetting', 16: 'Completing', 17: 'Complete',
} as const;
import { PlcProtocolError } from './errors.ts';

export type PackmlStateNumber = keyof typeof PACKML_STATES;
export type PackmlStateName = (typeof PACKML_STATES)[PackmlStateNumber];
export interface PackmlState {
  readonly number: PackmlStateNumber;
  readonly name: PackmlStateName;
}

/** Maps a raw state number read from the PLC; anything outside 0..17 is a protocol error naming the value. */
export function packmlState(raw: number): PackmlState {
  if (!Number.isInteger(raw) || !Object.hasOwn(PACKML_STATES, raw)) {
    throw new PlcProtocolError(`PLC 报告的 PackML 状态号无效: ${raw}，应为 0..17 (invalid PackML state number ${raw}, OPC 30050 defines 0..17)`);
  }
  const number = raw as PackmlStateNumber;
  return { number, name: PACKML_STATES[number] };
}
