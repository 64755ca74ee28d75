import type { Disposable, ReaderEvent, ReaderState } from './contract.ts';
import { InvalidStateError, ScannerBugError } from './errors.ts';
import { readerTransition } from './reader-state.ts';

/**
 * Holds one reader driver's lifecycle state, applies events through the table (./reader-state.ts) and tells
 * listeners about every change of state (not about events that keep the state).
 */
export class ReaderStateMachine {
  #state: ReaderState = 'closed';
  readonly #listeners = new Set<(state: ReaderState, previous: ReaderState) => void>();

  get state(): ReaderState {
    return this.#state;
  }

  onChange(listener: (state: ReaderState, previous: ReaderState) => void): Disposable {
    this.#listeners.add(listener);
    return { dispose: () => { this.#listeners.delete(listener); } };
  }

  /**
   * Applies `event`. A refused `open` is the caller's mistake (InvalidStateError, e.g. opening an open reader);
   * any other refused event is a driver bug (ScannerBugError).
   */
  apply(event: ReaderEvent): void {
    const previous = this.#state;
    const next = readerTransition(previous, event);
    if (next === null) {
      if (event === 'open') throw new InvalidStateError(`读码器状态为 ${previous}，不能打开 (cannot open in state ${previous})`);
      throw new ScannerBugError(`reader transition ${previous} --${event}--> not allowed`);
    }
    this.#state = next;
    if (next !== previous) for (const l of this.#listeners) l(next, previous);
  }
}
