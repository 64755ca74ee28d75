/**
 * Errors of code packages (码包). Branch on `code`, never on the message. Messages are Chinese first with
 * English in parentheses and never carry a secret code in full.
 */
export type PackageErrorCode =
  | 'NOT_A_PACKAGE'
  | 'UNSUPPORTED_FORMAT'
  | 'WEAK_KDF'
  | 'WRONG_KEY'
  | 'TAMPERED'
  | 'TRUNCATED'
  | 'COUNT_MISMATCH'
  | 'SHA_MISMATCH'
  | 'BAD_MANIFEST'
  | 'BAD_KEY'
  | 'BAD_PLAINTEXT'
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'IO';

export class PackageError extends Error {
  readonly code: PackageErrorCode;
  constructor(code: PackageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackageError';
    this.code = code;
  }
}

/** A broken invariant inside the package code: a bug, never an expected outcome. */
export class PackageBugError extends Error {
  readonly code = 'BUG' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackageBugError';
  }
}
