import { describe, expect, it } from 'vitest';
import { machineTableTest } from '../../test/support/machine-table-test.ts';
import { PALLET_STATION_EVENTS, PALLET_STATION_STATES, palletStationMachine, type PalletStationEvent, type PalletStationState } from './pallet-station-machine.ts';

type Row = Record<PalletStationEvent, PalletStationState | null>;
const none: Row = {
  start: null, pause: null, case: null, close: null, printed: null, 'print-failed': null, 'verify-failed': null, committed: null,
  'give-up': null, park: null, resume: null, fault: null, reset: null,
};

/** Every state × event pair: the expected next state, or null for a refused event. */
const expected: Record<PalletStationState, Row> = {
  stopped: { ...none, start: 'stacking', pause: 'stopped', fault: 'halted' },
  stacking: { ...none, start: 'stacking', pause: 'stopped', case: 'stacking', close: 'labelling', park: 'stacking', resume: 'stacking', fault: 'halted' },
  labelling: { ...none, case: 'labelling', printed: 'verifying', 'print-failed': 'labelling', 'give-up': 'stacking', fault: 'halted' },
  verifying: { ...none, case: 'verifying', 'verify-failed': 'labelling', committed: 'stacking', 'give-up': 'stacking', fault: 'halted' },
  halted: { ...none, fault: 'halted', reset: 'stopped' },
};

describe('pallet station state machine', () => {
  it('the expected table names every state and event', () => {
    expect(Object.keys(expected).sort()).toEqual([...PALLET_STATION_STATES].sort());
    for (const row of Object.values(expected)) expect(Object.keys(row).sort()).toEqual([...PALLET_STATION_EVENTS].sort());
  });
  machineTableTest(palletStationMachine, expected);
});
