import type { SyncEvent, SyncState } from '../contract.ts';
import { SyncBugError } from '../errors.ts';

/** Every state and every event, for exhaustive checks (the transition-table test walks their product). */
export const SYNC_STATES: readonly SyncState[] = ['discovering', 'idle', 'sending', 'polling', 'backoff', 'unauthorized', 'stopped'];
export const SYNC_EVENTS: readonly SyncEvent[] = [
  'limits-read', 'work-found', 'queue-empty', 'posted', 'job-running', 'accepted', 'rejected', 'too-large', 'retry',
  'unauthorized', 'backoff-elapsed', 'new-token', 'stop',
];

/**
 * The sync state machine (STYLE.md "State machines are explicit"). A pair missing from the table is impossible
 * in a correct sender; `syncTransition` throws a bug error for it instead of guessing.
 *
 * - discovering: `OPTIONS /capture` (EPCIS 2.0 §12, openapi 204CaptureEndpointDiscovery) gives the limits.
 *   Re-entered after every backoff, so a receiver restarted with other limits is picked up before a resend.
 * - idle: the outbox is read; pending rows start a send, none waits for new rows.
 * - sending: `POST /capture` is on the wire. 202 → polling; 400 → rejected (quarantine named offenders or
 *   bisect); 413 → too-large (halve); 401/403 → unauthorized; network / 5xx → retry.
 * - polling: `GET /capture/{id}` until `running:false`; rollback semantics: success → every event stored,
 *   failure → nothing stored.
 * - unauthorized: the alarm is raised; nothing is sent until a new token (or a restart).
 * - stopped: final.
 */
export const SYNC_TRANSITIONS: Readonly<Record<SyncState, Readonly<Partial<Record<SyncEvent, SyncState>>>>> = {
  discovering: { 'limits-read': 'idle', retry: 'backoff', unauthorized: 'unauthorized', stop: 'stopped' },
  idle: { 'work-found': 'sending', 'queue-empty': 'idle', stop: 'stopped' },
  sending: {
    posted: 'polling', accepted: 'idle', rejected: 'idle', 'too-large': 'idle', retry: 'backoff',
    unauthorized: 'unauthorized', stop: 'stopped',
  },
  polling: {
    'job-running': 'polling', accepted: 'idle', rejected: 'idle', retry: 'backoff', unauthorized: 'unauthorized',
    stop: 'stopped',
  },
  backoff: { 'backoff-elapsed': 'discovering', stop: 'stopped' },
  unauthorized: { 'new-token': 'discovering', stop: 'stopped' },
  stopped: {},
};

/** The next state, or undefined when `event` cannot happen in `state`. */
export function nextSyncState(state: SyncState, event: SyncEvent): SyncState | undefined {
  return SYNC_TRANSITIONS[state][event];
}

/** The next state; an impossible pair is a bug in the sender, never silently ignored. */
export function syncTransition(state: SyncState, event: SyncEvent): SyncState {
  const next = nextSyncState(state, event);
  if (next === undefined) throw new SyncBugError(`同步状态机: 状态 ${state} 不接受事件 ${event} (sync state ${state} does not accept event ${event})`);
  return next;
}
