import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay (exponential, equal jitter)', () => {
  const policy = { baseMs: 100, maxMs: 5_000 };

  it('doubles the window per consecutive failure up to the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 200, 400, 800, 1600, 2500, 2500]);
    expect([1, 2, 3, 7, 50].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([99, 199, 399, 4999, 4999]);
  });

  it('draws uniformly inside [ceiling/2, ceiling) from the injected random', () => {
    const draws = [0, 0.25, 0.5, 0.75];
    expect(draws.map((r) => backoffDelay(3, policy, () => r))).toEqual([200, 250, 300, 350]);
  });

  it('clamps out-of-range randoms and failure counts', () => {
    expect(backoffDelay(0, policy, () => -1)).toBe(50);
    expect(backoffDelay(10_000, policy, () => 2)).toBeLessThan(5_000);
  });
});
