import { describe, expect, it } from 'vitest';
import { machineTableTest } from '../../test/support/machine-table-test.ts';
import { MANUAL_CAPTURE_EVENTS, MANUAL_CAPTURE_STATES, manualCaptureMachine, type ManualCaptureEvent, type ManualCaptureState } from './manual-capture-machine.ts';

type Row = Record<ManualCaptureEvent, ManualCaptureState | null>;
const none: Row = { child: null, full: null, case: null, 'end-pallet': null, committed: null, clear: null, 'to-case': null, 'to-pallet': null, quit: null };

/** Every state × event pair: the expected next state, or null for a refused event. */
const expected: Record<ManualCaptureState, Row> = {
  'case-children': { ...none, child: 'case-children', full: 'case-code', clear: 'case-children', 'to-case': 'case-children', 'to-pallet': 'pallet-cases', quit: 'ended' },
  'case-code': { ...none, committed: 'case-children', clear: 'case-children', quit: 'ended' },
  'pallet-cases': { ...none, case: 'pallet-cases', full: 'pallet-code', 'end-pallet': 'pallet-code', clear: 'pallet-cases', 'to-case': 'case-children', 'to-pallet': 'pallet-cases', quit: 'ended' },
  'pallet-code': { ...none, committed: 'pallet-cases', clear: 'pallet-cases', quit: 'ended' },
  ended: { ...none },
};

describe('manual capture state machine', () => {
  it('the expected table names every state and event', () => {
    expect(Object.keys(expected).sort()).toEqual([...MANUAL_CAPTURE_STATES].sort());
    for (const row of Object.values(expected)) expect(Object.keys(row).sort()).toEqual([...MANUAL_CAPTURE_EVENTS].sort());
  });
  machineTableTest(manualCaptureMachine, expected);
});
