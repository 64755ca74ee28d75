/**
 * The PLC's trigger counter is an unsigned 16-bit register (Modbus holding register, OPC UA UInt16) that counts
 * photo-eye edges up and wraps 65535 → 0. A `trigger-resync` (the driver re-read the counter after a link outage
 * and took it as a new baseline) says only `previous` and `current`; this says what happened in between.
 */
const RANGE = 0x1_0000;
const HALF = 0x8000;

export type TriggerGap =
  /** The counter did not move: nothing passed. */
  | { readonly kind: 'none' }
  /** The counter moved on by `cases` (wrap-aware): exactly that many cases passed without a decision. */
  | { readonly kind: 'missed'; readonly cases: number }
  /**
   * The counter went back by more than it could have wrapped forward in any real outage: the PLC restarted (its
   * memory back to zero). At least `current` cases passed since its power-up; how many before it is unknown.
   */
  | { readonly kind: 'restart'; readonly atLeast: number };

/**
 * Classifies a resync: `current` ahead of `previous` (mod 2^16) by less than half the range is that many missed
 * triggers (65530 → 5 is 11, a wrap, not a restart); behind it by half the range or more is a restart. A restart
 * that lands ahead of the old counter cannot be told from an outage by the numbers alone (a PLC port that reports
 * its own restart flag would settle it).
 */
export function triggerGap(previous: number, current: number): TriggerGap {
  if (!isU16(previous) || !isU16(current)) throw new RangeError(`trigger counter outside 0..65535: ${previous} → ${current}`);
  const ahead = (current - previous + RANGE) % RANGE;
  if (ahead === 0) return { kind: 'none' };
  if (ahead < HALF) return { kind: 'missed', cases: ahead };
  return { kind: 'restart', atLeast: current };
}

function isU16(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < RANGE;
}
