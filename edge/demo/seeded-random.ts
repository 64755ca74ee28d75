/**
 * A small seeded generator (mulberry32): fast and repeatable, for simulation dice — demo and bench fault rates, test
 * fault schedules that must be replayable. Never for codes: those come only from the OS CSPRNG (DESIGN §5).
 * Returns values in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
