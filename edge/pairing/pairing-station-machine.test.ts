import { describe } from 'vitest';
import { machineTableTest } from '../../test/support/machine-table-test.ts';
import { pairingStationMachine, type PairingStationEvent, type PairingStationState } from './pairing-station-machine.ts';

const R = null;
/** Every state × event pair, written out: the expected next state, or null for a refused event. */
const expected: Record<PairingStationState, Record<PairingStationEvent, PairingStationState | null>> = {
  stopped: { start: 'idle', pause: 'stopped', trigger: R, read: R, pair: R, waste: R, done: R, fault: 'halted', reset: R },
  idle: { start: 'idle', pause: 'stopped', trigger: 'reading', read: R, pair: R, waste: R, done: R, fault: 'halted', reset: R },
  reading: { start: R, pause: R, trigger: R, read: 'deciding', pair: R, waste: R, done: R, fault: 'halted', reset: R },
  deciding: { start: R, pause: R, trigger: R, read: R, pair: 'accepting', waste: 'rejecting', done: R, fault: 'halted', reset: R },
  accepting: { start: R, pause: R, trigger: R, read: R, pair: R, waste: R, done: 'idle', fault: 'halted', reset: R },
  rejecting: { start: R, pause: R, trigger: R, read: R, pair: R, waste: R, done: 'idle', fault: 'halted', reset: R },
  halted: { start: R, pause: R, trigger: R, read: R, pair: R, waste: R, done: R, fault: 'halted', reset: 'stopped' },
};

describe('pairing station state machine', () => {
  machineTableTest(pairingStationMachine, expected);
});
