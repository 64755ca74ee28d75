import { describe, expect, it } from 'vitest';
import type { ReaderEvent, ReaderState } from './contract.ts';
import { READER_EVENTS, READER_STATES, readerTransition } from './reader-state.ts';

/**
 * Every state × event pair, written out independently of the implementation's table (ElectricSQL's shape).
 * `-` = not allowed.
 */
type Expected = ReaderState | '-';
const EXPECTED: Record<ReaderState, Record<ReaderEvent, Expected>> = {
  closed: { open: 'opening', opened: '-', 'open-failed': '-', trigger: '-', result: '-', 'link-lost': '-', close: '-', closed: '-' },
  opening: { open: '-', opened: 'ready', 'open-failed': 'closed', trigger: '-', result: '-', 'link-lost': 'closed', close: 'closing', closed: '-' },
  ready: { open: '-', opened: '-', 'open-failed': '-', trigger: 'triggered', result: 'ready', 'link-lost': 'faulted', close: 'closing', closed: '-' },
  triggered: { open: '-', opened: '-', 'open-failed': '-', trigger: '-', result: 'ready', 'link-lost': 'faulted', close: 'closing', closed: '-' },
  faulted: { open: 'opening', opened: '-', 'open-failed': '-', trigger: '-', result: '-', 'link-lost': 'faulted', close: 'closing', closed: '-' },
  closing: { open: '-', opened: '-', 'open-failed': '-', trigger: '-', result: '-', 'link-lost': 'closing', close: '-', closed: 'closed' },
};

describe('reader state machine', () => {
  for (const state of READER_STATES) {
    for (const event of READER_EVENTS) {
      it(`${state} --${event}--> ${EXPECTED[state][event]}`, () => {
        const next = readerTransition(state, event);
        expect(next ?? '-').toBe(EXPECTED[state][event]);
      });
    }
  }

  it('covers exactly the states and events of the contract', () => {
    expect([...READER_STATES].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect([...READER_EVENTS].sort()).toEqual(Object.keys(EXPECTED.closed).sort());
  });

  it('reaches every state from closed, and closed from every state', () => {
    const reach = (from: ReaderState): Set<ReaderState> => {
      const seen = new Set<ReaderState>([from]);
      const queue = [from];
      while (queue.length > 0) {
        const s = queue.shift() as ReaderState;
        for (const e of READER_EVENTS) {
          const n = readerTransition(s, e);
          if (n !== null && !seen.has(n)) { seen.add(n); queue.push(n); }
        }
      }
      return seen;
    };
    expect([...reach('closed')].sort()).toEqual([...READER_STATES].sort());
    for (const s of READER_STATES) expect(reach(s).has('closed'), s).toBe(true);
  });
});
