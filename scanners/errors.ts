import { LinkError } from '../links/index.ts';

/**
 * Errors of the scanners package (STYLE.md "Values and errors"): one base class with a literal `code` and a
 * `cause`. Expected device failures are subclasses; broken invariants are `ScannerBugError`.
 * Messages are Chinese first, English in parentheses, and never contain a full code.
 */
export type ScannerErrorCode =
  | 'DEVICE_OFFLINE'
  | 'TIMEOUT'
  | 'FRAME_TOO_LARGE'
  | 'PROTOCOL'
  | 'INVALID_STATE'
  | 'CONFIG'
  | 'BUG';

export class ScannerError extends Error {
  readonly code: ScannerErrorCode;
  constructor(code: ScannerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScannerError';
    this.code = code;
  }
}

/** The reader cannot be reached, or the link broke. */
export class DeviceOfflineError extends ScannerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEVICE_OFFLINE', message, options);
    this.name = 'DeviceOfflineError';
  }
}

export class TimeoutError extends ScannerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
    this.name = 'TimeoutError';
  }
}

/** A frame exceeded `maxFrameBytes`. Framers report this as a value; this class is for callers that throw. */
export class FrameTooLargeError extends ScannerError {
  constructor(message: string) {
    super('FRAME_TOO_LARGE', message);
    this.name = 'FrameTooLargeError';
  }
}

/** The reader answered with something the protocol does not allow (e.g. DMCC status 101). */
export class ProtocolError extends ScannerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options);
    this.name = 'ProtocolError';
  }
}

/** An operation not allowed in the reader's current state (e.g. trigger while closed). */
export class InvalidStateError extends ScannerError {
  constructor(message: string) {
    super('INVALID_STATE', message);
    this.name = 'InvalidStateError';
  }
}

/** Bad reader configuration; `path` names the field. */
export class ReaderConfigError extends ScannerError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('CONFIG', `${path}: ${message}`);
    this.name = 'ReaderConfigError';
    this.path = path;
  }
}

export class ScannerBugError extends ScannerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BUG', message, options);
    this.name = 'ScannerBugError';
  }
}

/**
 * A failure of the byte link (links/) as this package's error: LinkTimeoutError → TimeoutError, any other
 * LinkError → DeviceOfflineError, same message, the link error as `cause`. Anything else is returned unchanged.
 */
export function fromLinkError(error: unknown): unknown {
  if (!(error instanceof LinkError)) return error;
  return error.code === 'TIMEOUT' ? new TimeoutError(error.message, { cause: error }) : new DeviceOfflineError(error.message, { cause: error });
}
