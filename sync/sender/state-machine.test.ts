import { describe, expect, it } from 'vitest';
import type { SyncEvent, SyncState } from '../contract.ts';
import { SyncBugError } from '../errors.ts';
import { nextSyncState, SYNC_EVENTS, SYNC_STATES, syncTransition } from './state-machine.ts';

/**
 * The full state × event table, written out independently of the implementation's table: every allowed pair
 * is listed as `state --event--> next`; every pair not listed must be refused (ElectricSQL's
 * state-transition-table test shape, notes/aesthetics §2.6).
 */
const ALLOWED = `
discovering  --limits-read-->     idle
discovering  --retry-->           backoff
discovering  --unauthorized-->    unauthorized
discovering  --stop-->            stopped
idle         --work-found-->      sending
idle         --queue-empty-->     idle
idle         --stop-->            stopped
sending      --posted-->          polling
sending      --accepted-->        idle
sending      --rejected-->        idle
sending      --too-large-->       idle
sending      --retry-->           backoff
sending      --unauthorized-->    unauthorized
sending      --stop-->            stopped
polling      --job-running-->     polling
polling      --accepted-->        idle
polling      --rejected-->        idle
polling      --retry-->           backoff
polling      --unauthorized-->    unauthorized
polling      --stop-->            stopped
backoff      --backoff-elapsed--> discovering
backoff      --stop-->            stopped
unauthorized --new-token-->       discovering
unauthorized --stop-->            stopped
`;

const expected = new Map<string, SyncState>();
for (const line of ALLOWED.trim().split('\n')) {
  const m = /^(\S+)\s+--(\S+)-->\s+(\S+)$/.exec(line.trim());
  if (!m) throw new Error(`bad table line: ${line}`);
  expected.set(`${m[1]}|${m[2]}`, m[3] as SyncState);
}

describe('sync state machine', () => {
  const pairs = SYNC_STATES.flatMap((s) => SYNC_EVENTS.map((e) => [s, e] as [SyncState, SyncEvent]));

  it('has 7 states × 13 events = 91 pairs, 24 of them allowed', () => {
    expect(pairs).toHaveLength(91);
    expect(expected.size).toBe(24);
  });

  it.each(pairs)('%s × %s', (state, event) => {
    const want = expected.get(`${state}|${event}`);
    expect(nextSyncState(state, event)).toBe(want);
    if (want === undefined) {
      expect(() => syncTransition(state, event)).toThrow(SyncBugError);
    } else {
      expect(syncTransition(state, event)).toBe(want);
    }
  });

  it('stopped is final and unauthorized leaves only on a new token or stop', () => {
    expect(SYNC_EVENTS.filter((e) => nextSyncState('stopped', e) !== undefined)).toEqual([]);
    expect(SYNC_EVENTS.filter((e) => nextSyncState('unauthorized', e) !== undefined)).toEqual(['new-token', 'stop']);
  });

  it('every state except stopped can be stopped and every state is reachable from discovering', () => {
    for (const s of SYNC_STATES) if (s !== 'stopped') expect(nextSyncState(s, 'stop')).toBe('stopped');
    const seen = new Set<SyncState>(['discovering']);
    const queue: SyncState[] = ['discovering'];
    while (queue.length > 0) {
      const s = queue.shift() as SyncState;
      for (const e of SYNC_EVENTS) {
        const n = nextSyncState(s, e);
        if (n !== undefined && !seen.has(n)) { seen.add(n); queue.push(n); }
      }
    }
    expect([...seen].sort()).toEqual([...SYNC_STATES].sort());
  });
});
