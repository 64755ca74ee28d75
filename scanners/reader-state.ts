import type { ReaderEvent, ReaderState } from './contract.ts';

/**
 * Reader lifecycle as a transition table. `null` = the event is not allowed in that state (a caller bug or a
 * late callback; drivers turn it into `InvalidStateError` or ignore late transport callbacks explicitly).
 *
 * - `link-lost` from ready/triggered goes to `faulted`; an open trigger rejects with `DeviceOfflineError`.
 * - `faulted` → `open` re-opens (reconnect is the caller's decision, with its own backoff).
 * - `close` is allowed from every state except `closed` and `closing` (close() is idempotent on top of this).
 */
export const READER_TRANSITIONS: Readonly<Record<ReaderState, Readonly<Record<ReaderEvent, ReaderState | null>>>> = {
  closed: { open: 'opening', opened: null, 'open-failed': null, trigger: null, result: null, 'link-lost': null, close: null, closed: null },
  opening: { open: null, opened: 'ready', 'open-failed': 'closed', trigger: null, result: null, 'link-lost': 'closed', close: 'closing', closed: null },
  ready: { open: null, opened: null, 'open-failed': null, trigger: 'triggered', result: 'ready', 'link-lost': 'faulted', close: 'closing', closed: null },
  triggered: { open: null, opened: null, 'open-failed': null, trigger: null, result: 'ready', 'link-lost': 'faulted', close: 'closing', closed: null },
  faulted: { open: 'opening', opened: null, 'open-failed': null, trigger: null, result: null, 'link-lost': 'faulted', close: 'closing', closed: null },
  closing: { open: null, opened: null, 'open-failed': null, trigger: null, result: null, 'link-lost': 'closing', close: null, closed: 'closed' },
};

export const READER_STATES: readonly ReaderState[] = ['closed', 'opening', 'ready', 'triggered', 'faulted', 'closing'];
export const READER_EVENTS: readonly ReaderEvent[] = ['open', 'opened', 'open-failed', 'trigger', 'result', 'link-lost', 'close', 'closed'];

/** The next state, or null when `event` is not allowed in `state`. */
export function readerTransition(state: ReaderState, event: ReaderEvent): ReaderState | null {
  return READER_TRANSITIONS[state][event];
}
