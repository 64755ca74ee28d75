/**
 * Duplicate suppression: a code seen again within `windowMs` (station clock, ms) is reported as a duplicate.
 * Typical cause: the same cap read by two consecutive triggers while the case stands still. Memory is bounded
 * by `maxEntries`; the oldest entries go first (Map keeps insertion order and a hit re-inserts the key).
 */
export class DuplicateWindow {
  readonly #windowMs: number;
  readonly #maxEntries: number;
  readonly #seen = new Map<string, number>();

  constructor(windowMs: number, maxEntries = 10_000) {
    this.#windowMs = windowMs;
    this.#maxEntries = maxEntries;
  }

  /** True when `key` was seen within the window before `now`; records `now` either way. */
  isDuplicate(key: string, now: number): boolean {
    if (this.#windowMs <= 0) return false;
    const last = this.#seen.get(key);
    this.#seen.delete(key);
    this.#seen.set(key, now);
    while (this.#seen.size > this.#maxEntries) {
      const oldest = this.#seen.keys().next();
      if (oldest.done === true) break;
      this.#seen.delete(oldest.value);
    }
    return last !== undefined && now - last < this.#windowMs;
  }

  get size(): number {
    return this.#seen.size;
  }
}
