/**
 * An explicit state machine (STYLE.md "State machines are explicit"): a closed union of states, a closed union
 * of events and a transition table. A pair missing from the table is refused, never silently ignored, so every
 * state × event pair has a defined outcome that a table test can pin.
 */
export type TransitionTable<S extends string, E extends string> = Readonly<Record<S, Readonly<Partial<Record<E, S>>>>>;

export type Transition<S extends string> = { readonly ok: true; readonly to: S } | { readonly ok: false; readonly reason: string };

export interface StateMachine<S extends string, E extends string> {
  readonly states: readonly S[];
  readonly events: readonly E[];
  next(state: S, event: E): Transition<S>;
}

export function defineMachine<S extends string, E extends string>(
  name: string, states: readonly S[], events: readonly E[], table: TransitionTable<S, E>,
): StateMachine<S, E> {
  return {
    states,
    events,
    next(state, event) {
      const to = table[state][event];
      return to === undefined
        ? { ok: false, reason: `${name}: 状态 ${state} 下不能执行 ${event} (event ${event} is not allowed in state ${state})` }
        : { ok: true, to };
    },
  };
}
