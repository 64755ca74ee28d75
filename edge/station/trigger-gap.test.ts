import { describe, expect, it } from 'vitest';
import { triggerGap } from './trigger-gap.ts';

describe('triggerGap (u16 trigger counter resync)', () => {
  it.each([
    [100, 100, { kind: 'none' }],
    [0, 3, { kind: 'missed', cases: 3 }],
    [100, 107, { kind: 'missed', cases: 7 }],
    // Wraps forward: missed triggers, not a restart.
    [65530, 5, { kind: 'missed', cases: 11 }],
    [65535, 0, { kind: 'missed', cases: 1 }],
    [40_000, 3, { kind: 'missed', cases: 25_539 }],
    [0, 32_767, { kind: 'missed', cases: 32_767 }],
    // Behind by half the range or more: the PLC restarted.
    [0, 32_768, { kind: 'restart', atLeast: 32_768 }],
    [100, 0, { kind: 'restart', atLeast: 0 }],
    [100, 3, { kind: 'restart', atLeast: 3 }],
    [5, 65530, { kind: 'restart', atLeast: 65530 }],
  ] as const)('%i → %i', (previous, current, expected) => {
    expect(triggerGap(previous, current)).toEqual(expected);
  });

  it('refuses values no u16 counter holds', () => {
    expect(() => triggerGap(-1, 0)).toThrow(RangeError);
    expect(() => triggerGap(0, 65536)).toThrow(RangeError);
    expect(() => triggerGap(0.5, 1)).toThrow(RangeError);
  });
});
