/**
 * Errors of the sync package (EPCIS mapping, hashing, validation, capture client, reference receiver).
 * Branch on `code`, never on the message. Messages are Simplified Chinese first, English in parentheses,
 * and never carry a cap-inner / case-inner code in full (see `maskIdentifier`).
 */
export type SyncErrorCode =
  /** A line fact or event that cannot be mapped or hashed (missing field, bad identifier, bad time). */
  | 'INVALID_EVENT'
  /** A document or event that fails the ratified EPCIS 2.0 JSON schema or our own rules. */
  | 'SCHEMA_VIOLATION'
  /** The receiver refused a capture (400, or a finished job with errors). */
  | 'CAPTURE_REJECTED'
  /** 401 / 403: missing or wrong credentials; retrying will not help. */
  | 'UNAUTHORIZED'
  /** 413: the request exceeded the receiver's event-count or byte limit. */
  | 'PAYLOAD_TOO_LARGE'
  /** Connection refused / reset / timed out: retry with backoff. */
  | 'NETWORK'
  /** The peer spoke something other than the EPCIS REST binding (bad status, bad body, missing Location). */
  | 'PROTOCOL'
  /** The reference receiver could not open or write its database. */
  | 'RECEIVER_STORAGE'
  /** Bad configuration of the mapping context or receiver (names the field path). */
  | 'INVALID_CONFIG';

export class SyncError extends Error {
  readonly code: SyncErrorCode;
  constructor(code: SyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SyncError';
    this.code = code;
  }
}

/** A broken invariant inside sync: a bug, never an expected outcome. */
export class SyncBugError extends Error {
  readonly code = 'BUG' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SyncBugError';
  }
}
