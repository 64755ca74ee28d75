import { afterEach } from 'vitest';

/**
 * Registers an afterEach that closes what a test opened, newest first, and returns `keep`: `keep(value, close)`
 * remembers `close(value)` and hands `value` back, so a test opens a temp dir, a store, an API and a browser in
 * order and they are closed in the reverse order however the test ends. Every close is tried; the first failure
 * is rethrown after all ran.
 */
export function closeAfterEach(): <T>(value: T, close: (value: T) => unknown) => T {
  let closers: (() => unknown)[] = [];
  afterEach(async () => {
    const pending = closers.reverse();
    closers = [];
    let failure: unknown = null;
    for (const close of pending) {
      try { await close(); } catch (error) { failure ??= error; }
    }
    if (failure !== null) throw failure;
  });
  return (value, close) => {
    closers.push(() => close(value));
    return value;
  };
}
