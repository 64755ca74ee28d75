/**
 * The retry timing of a device link that reopens itself: 200 ms, then doubling up to 5 s between attempts,
 * back to 200 ms once the device is usable (`reset`). At most one retry is pending.
 */
export class RetryBackoff {
  #timer: NodeJS.Timeout | null = null;
  #delay = 200;

  /** Runs `retry` after the current delay and doubles the next one; does nothing while a retry is pending. */
  schedule(retry: () => void): void {
    if (this.#timer !== null) return;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, 5_000);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      retry();
    }, delay);
  }

  /** The device works again: the next failure retries after 200 ms. */
  reset(): void {
    this.#delay = 200;
  }

  /** Drops a pending retry. */
  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
