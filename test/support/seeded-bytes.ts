import type { RandomSource } from '../../edge/codes/random-source.ts';

/**
 * A deterministic xorshift32 byte stream (Marsaglia 2003, shifts 13/17/5), one byte per step from the low 8 bits:
 * tests pin exact outputs with it. Test-only; production randomness is the OS CSPRNG (DESIGN §5).
 */
export function seededBytes(seed: number): RandomSource {
  let x = seed >>> 0 || 1;
  return (target) => {
    for (let i = 0; i < target.length; i += 1) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      target[i] = x & 0xff;
    }
  };
}
