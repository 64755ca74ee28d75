import { describe } from 'vitest';
import { machineTableTest } from '../../test/support/machine-table-test.ts';
import { batchMachine, type BatchEvent, type BatchState } from './batch-machine.ts';

/** Every state × event pair, written out: the expected next state, or null for a refused event. */
const expected: Record<BatchState, Record<BatchEvent, BatchState | null>> = {
  running: { pause: 'paused', resume: null, close: 'closed' },
  paused: { pause: null, resume: 'running', close: 'closed' },
  closed: { pause: null, resume: null, close: null },
};

describe('batch state machine', () => {
  machineTableTest(batchMachine, expected);
});
