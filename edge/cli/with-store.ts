import type { CommandContext } from './command.ts';
import type { Store, StoreOptions } from '../store/open.ts';

/**
 * Opens the station database at --db, runs `body` against it and closes it again, whether `body` returns or
 * throws. Errors pass through unchanged: each command decides how a store error reaches the user.
 */
export async function withStore<T>(ctx: CommandContext, body: (store: Store) => T | Promise<T>, options?: StoreOptions): Promise<T> {
  const store = ctx.openStore(options);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}
