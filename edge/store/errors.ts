/** Errors of the store. Branch on `code`, never on the message. */
export type StoreErrorCode =
  | 'PRAGMA_MISMATCH'
  | 'MIGRATION_FAILED'
  | 'SCHEMA_TOO_NEW'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_INPUT'
  /** The operation is not allowed in the record's current state (batch closed, pallet parked…). */
  | 'INVALID_STATE'
  /** Wrong user id or PIN/badge (edge/store/users.ts); the bad attempt has been counted. */
  | 'AUTH_FAILED'
  /** Too many wrong PINs: the account is locked for a while (IEC 62443-4-2 CR 1.11). */
  | 'LOCKED_OUT'
  /** The user's role may not do this action (users.ts PERMISSIONS), or the user is deactivated. */
  | 'FORBIDDEN';

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
