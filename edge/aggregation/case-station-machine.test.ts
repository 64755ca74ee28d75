import { describe, expect, it } from 'vitest';
import { CASE_STATION_EVENTS, CASE_STATION_STATES, caseStationMachine, type CaseStationEvent, type CaseStationState } from './case-station-machine.ts';

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
  for (const state of CASE_STATION_STATES) {
    for (const event of CASE_STATION_EVENTS) {
      it(`${state} × ${event} → ${expected[state][event] ?? 'refused'}`, () => {
        const t = caseStationMachine.next(state, event);
        const want = expected[state][event];
        if (want === null) {
          expect(t.ok).toBe(false);
          if (!t.ok) expect(t.reason).toContain(event);
        } else {
          expect(t).toEqual({ ok: true, to: want });
        }
      });
    }
  }
});
