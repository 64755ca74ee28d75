import type { PrinterEvent, PrinterFault, PrinterState, StateListener, Disposable } from '../contract.ts';
import { PrinterBugError } from '../errors.ts';

/**
 * The printer lifecycle as a table: `PRINTER_TRANSITIONS[state][event]` is the next state, or `null` when the
 * event is not allowed in that state (a driver bug if it happens). `link-lost` while open lands in `faulted`
 * with the `offline` fault: jobs in flight settle `unknown` and the owner decides whether to reopen.
 */
export const PRINTER_TRANSITIONS: Readonly<Record<PrinterState, Readonly<Record<PrinterEvent, PrinterState | null>>>> = {
  closed: { open: 'opening', opened: null, 'open-failed': null, 'job-sent': null, 'jobs-settled': null, fault: null, 'fault-cleared': null, 'link-lost': null, close: 'closed', closed: 'closed' },
  opening: { open: null, opened: 'ready', 'open-failed': 'closed', 'job-sent': null, 'jobs-settled': null, fault: 'faulted', 'fault-cleared': null, 'link-lost': 'closed', close: 'closing', closed: null },
  ready: { open: null, opened: null, 'open-failed': null, 'job-sent': 'busy', 'jobs-settled': 'ready', fault: 'faulted', 'fault-cleared': 'ready', 'link-lost': 'faulted', close: 'closing', closed: null },
  busy: { open: null, opened: null, 'open-failed': null, 'job-sent': 'busy', 'jobs-settled': 'ready', fault: 'faulted', 'fault-cleared': 'busy', 'link-lost': 'faulted', close: 'closing', closed: null },
  faulted: { open: null, opened: null, 'open-failed': null, 'job-sent': null, 'jobs-settled': 'faulted', fault: 'faulted', 'fault-cleared': 'ready', 'link-lost': 'faulted', close: 'closing', closed: null },
  closing: { open: null, opened: null, 'open-failed': null, 'job-sent': null, 'jobs-settled': 'closing', fault: 'closing', 'fault-cleared': 'closing', 'link-lost': 'closing', close: 'closing', closed: 'closed' },
};

export function nextPrinterState(state: PrinterState, event: PrinterEvent): PrinterState | null {
  return PRINTER_TRANSITIONS[state][event];
}

/** Holds one driver's state and faults, applies events through the table and notifies listeners on change. */
export class PrinterStateMachine {
  #state: PrinterState = 'closed';
  #faults: PrinterFault[] = [];
  readonly #listeners = new Set<StateListener>();

  get state(): PrinterState { return this.#state; }
  get faults(): readonly PrinterFault[] { return this.#faults; }

  /** Applies an event; throws PrinterBugError when the table forbids it. */
  apply(event: PrinterEvent, faults?: readonly PrinterFault[]): PrinterState {
    const next = nextPrinterState(this.#state, event);
    if (next === null) throw new PrinterBugError(`printer event ${event} is not allowed in state ${this.#state}`);
    this.#set(next, faults);
    return next;
  }

  /** Applies an event only if the table allows it; returns whether it did. For events that may race a close. */
  tryApply(event: PrinterEvent, faults?: readonly PrinterFault[]): boolean {
    const next = nextPrinterState(this.#state, event);
    if (next === null) return false;
    this.#set(next, faults);
    return true;
  }

  #set(next: PrinterState, faults: readonly PrinterFault[] | undefined): void {
    const previous = this.#state;
    const nextFaults = next === 'faulted' ? [...(faults ?? this.#faults)] : (next === 'closed' || next === 'ready' || next === 'busy' ? [] : this.#faults);
    const faultsChanged = nextFaults.join(',') !== this.#faults.join(',');
    this.#state = next;
    this.#faults = nextFaults;
    if (previous !== next || faultsChanged) {
      for (const listener of this.#listeners) listener(next, previous, nextFaults);
    }
  }

  onChange(listener: StateListener): Disposable {
    this.#listeners.add(listener);
    return { dispose: () => { this.#listeners.delete(listener); } };
  }
}
