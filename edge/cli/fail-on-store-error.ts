import { CommandFailure } from './errors.ts';
import { StoreError } from '../store/errors.ts';

/**
 * Runs one store operation; an expected store refusal (StoreError) becomes a command failure (exit 1) with the
 * store's message and `{ code }` as its JSON details. Anything else is rethrown as it is.
 */
export function failOnStoreError<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    if (error instanceof StoreError) throw new CommandFailure(error.message, { code: error.code });
    throw error;
  }
}
