/** Errors of the store. Branch on `code`, never on the message. */
export type StoreErrorCode =
  | 'PRAGMA_MISMATCH'
  | 'MIGRATION_FAILED'
  | 'SCHEMA_TOO_NEW'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_INPUT';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** A broken invariant inside the store: a bug, never an expected outcome. */
export class StoreBugError extends Error {
  readonly code = 'BUG' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreBugError';
  }
}
