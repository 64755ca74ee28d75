import { expect, it } from 'vitest';
import type { StateMachine } from '../../edge/domain/state-machine.ts';

/**
 * The table test of an explicit state machine (STYLE.md "State machines are explicit"): one `it` per
 * state × event pair, checking the expected next state, or for `null` that the event is refused with a reason
 * naming it. Call it inside a `describe`.
 */
export function machineTableTest<S extends string, E extends string>(
  machine: StateMachine<S, E>,
  expected: Readonly<Record<S, Readonly<Record<E, S | null>>>>,
): void {
  for (const state of machine.states) {
    for (const event of machine.events) {
      it(`${state} × ${event} → ${expected[state][event] ?? 'refused'}`, () => {
        const t = machine.next(state, event);
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
}
