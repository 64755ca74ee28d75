/**
 * Delay after failed logins (IEC 62443-4-2 CR 1.11 unsuccessful login attempts), in front of the account lockout
 * of edge/store/users.ts. Each failure for a key (`badge`, or `pin:<userId>`) doubles the wait before the next
 * attempt for that key may be tried: base, 2·base, 4·base… up to `maxMs`; a success clears it. Badge scans have no
 * account to lock, so for them this delay is the whole defence against a badge-guessing script.
 */
export class LoginThrottle {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #now: () => number;
  readonly #state = new Map<string, { failures: number; until: number }>();

  constructor(baseMs: number, maxMs: number, now: () => number = Date.now) {
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
    this.#now = now;
  }

  /** Milliseconds until `key` may try again (0 = now). */
  retryAfter(key: string): number {
    const s = this.#state.get(key);
    return s === undefined ? 0 : Math.max(0, s.until - this.#now());
  }

  failed(key: string): number {
    const s = this.#state.get(key) ?? { failures: 0, until: 0 };
    s.failures += 1;
    const wait = Math.min(this.#maxMs, this.#baseMs * 2 ** (s.failures - 1));
    s.until = this.#now() + wait;
    this.#state.set(key, s);
    if (this.#state.size > 10_000) this.#state.delete(this.#state.keys().next().value as string);
    return wait;
  }

  succeeded(key: string): void {
    this.#state.delete(key);
  }
}
