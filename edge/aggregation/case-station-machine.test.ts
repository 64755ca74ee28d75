import { describe } from 'vitest';
import { machineTableTest } from '../../test/support/machine-table-test.ts';
import { caseStationMachine, type CaseStationEvent, type CaseStationState } from './case-station-machine.ts';

/** Every state × event pair, written out: the expected next state, or null for a refused event. */
const expected: Record<CaseStationState, Record<CaseStationEvent, CaseStationState | null>> = {
  stopped: { start: 'idle', pause: 'stopped', trigger: null, print: null, printed: null, 'print-failed': null, 'verify-failed': null, read: null, accept: null, reject: null, done: null, fault: 'halted', reset: null },
  idle: { start: 'idle', pause: 'stopped', trigger: 'reading', print: null, printed: null, 'print-failed': null, 'verify-failed': null, read: null, accept: null, reject: null, done: null, fault: 'halted', reset: null },
  reading: { start: null, pause: null, trigger: null, print: 'printing', printed: null, 'print-failed': null, 'verify-failed': null, read: 'deciding', accept: null, reject: null, done: null, fault: 'halted', reset: null },
  printing: { start: null, pause: null, trigger: null, print: null, printed: 'verifying', 'print-failed': 'reading', 'verify-failed': null, read: null, accept: null, reject: null, done: null, fault: 'halted', reset: null },
  verifying: { start: null, pause: null, trigger: null, print: null, printed: null, 'print-failed': null, 'verify-failed': 'reading', read: 'deciding', accept: null, reject: null, done: null, fault: 'halted', reset: null },
  deciding: { start: null, pause: null, trigger: null, print: null, printed: null, 'print-failed': null, 'verify-failed': null, read: null, accept: 'accepting', reject: 'rejecting', done: null, fault: 'halted', reset: null },
  accepting: { start: null, pause: null, trigger: null, print: null, printed: null, 'print-failed': null, 'verify-failed': null, read: null, accept: null, reject: null, done: 'idle', fault: 'halted', reset: null },
  rejecting: { start: null, pause: null, trigger: null, print: null, printed: null, 'print-failed': null, 'verify-failed': null, read: null, accept: null, reject: null, done: 'idle', fault: 'halted', reset: null },
  halted: { start: null, pause: null, trigger: null, print: null, printed: null, 'print-failed': null, 'verify-failed': null, read: null, accept: null, reject: null, done: null, fault: 'halted', reset: 'stopped' },
};

describe('case station state machine', () => {
  machineTableTest(caseStationMachine, expected);
});
