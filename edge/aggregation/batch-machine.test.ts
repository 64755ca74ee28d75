import { describe, expect, it } from 'vitest';
import { BATCH_EVENTS, BATCH_STATES, batchMachine, type BatchEvent, type BatchState } from './batch-machine.ts';

/** Every state × event pair, written out: the expected next state, or null for a refused event. */
const expected: Record<BatchState, Record<BatchEvent, BatchState | null>> = {
  running: { pause: 'paused', resume: null, close: 'closed' },
  paused: { pause: null, resume: 'running', close: 'closed' },
  closed: { pause: null, resume: null, close: null },
};

describe('batch state machine', () => {
  for (const state of BATCH_STATES) {
    for (const event of BATCH_EVENTS) {
      it(`${state} × ${event} → ${expected[state][event] ?? 'refused'}`, () => {
        const t = batchMachine.next(state, event);
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
