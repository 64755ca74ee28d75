import { describe, expect, it } from 'vitest';
import type { PrinterEvent, PrinterState } from '../contract.ts';
import { PRINTER_TRANSITIONS, PrinterStateMachine, nextPrinterState } from './printer-state-machine.ts';

const STATES: readonly PrinterState[] = ['closed', 'opening', 'ready', 'busy', 'faulted', 'closing'];
const EVENTS: readonly PrinterEvent[] = ['open', 'opened', 'open-failed', 'job-sent', 'jobs-settled', 'fault', 'fault-cleared', 'link-lost', 'close', 'closed'];

/**
 * Written out independently of the implementation's table: rows are states, columns follow EVENTS.
 * '-' = not allowed.
 */
const EXPECTED: Record<PrinterState, string> = {
  //          open     opened  open-failed job-sent jobs-settled fault    fault-cleared link-lost close    closed
  closed: '   opening  -       -           -        -            -        -             -         closed   closed',
  opening: '  -        ready   closed      -        -            faulted  -             closed    closing  -',
  ready: '    -        -       -           busy     ready        faulted  ready         faulted   closing  -',
  busy: '     -        -       -           busy     ready        faulted  busy          faulted   closing  -',
  faulted: '  -        -       -           -        faulted      faulted  ready         faulted   closing  -',
  closing: '  -        -       -           -        closing      closing  closing       closing   closing  closed',
};

describe('printer state machine', () => {
  for (const state of STATES) {
    const row = EXPECTED[state].trim().split(/\s+/);
    for (const [i, event] of EVENTS.entries()) {
      const want = row[i] === '-' ? null : row[i];
      it(`${state} × ${event} → ${want ?? 'not allowed'}`, () => {
        expect(nextPrinterState(state, event)).toBe(want);
      });
    }
  }

  it('covers exactly the declared states and events', () => {
    expect(Object.keys(PRINTER_TRANSITIONS).sort()).toEqual([...STATES].sort());
    for (const s of STATES) expect(Object.keys(PRINTER_TRANSITIONS[s]).sort()).toEqual([...EVENTS].sort());
  });

  it('notifies listeners with faults and rejects forbidden events', () => {
    const m = new PrinterStateMachine();
    const seen: string[] = [];
    const sub = m.onChange((s, p, f) => { seen.push(`${p}->${s}[${f.join(',')}]`); });
    m.apply('open');
    m.apply('opened');
    m.apply('fault', ['ribbon-out']);
    expect(() => m.apply('job-sent')).toThrow(/not allowed/);
    expect(m.tryApply('job-sent')).toBe(false);
    m.apply('fault-cleared');
    sub.dispose();
    m.apply('close');
    expect(seen).toEqual(['closed->opening[]', 'opening->ready[]', 'ready->faulted[ribbon-out]', 'faulted->ready[]']);
  });
});
