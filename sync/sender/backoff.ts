/** Backoff of the sender after a transient failure (network error, timeout, 5xx, job that never finished). */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly baseMs: number;
  /** Ceiling of the exponential part, ms: a three-day outage still retries at least this often. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 30_000 };

/**
 * Exponential backoff with "equal jitter": the ceiling is min(maxMs, baseMs · 2^(failures−1)) and the delay is
 * drawn uniformly from [ceiling/2, ceiling). Half the window is random so many stations that lost the same
 * headquarters do not come back in lock-step; the other half keeps a floor so a flapping link is not hammered.
 * `failures` counts consecutive failures (1 for the first); `random` returns [0, 1) and is injected for tests.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 0.999_999);
  return Math.floor(ceiling / 2 + r * (ceiling / 2));
}
