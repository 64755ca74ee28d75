/**
 * Errors of the links package. Branch on `code`, never on message text. The codes are the ones printers/ and
 * scanners/ use for the same failures, so a package that wraps a LinkError keeps its code.
 * Messages are Simplified Chinese first, English in parentheses.
 */
export type LinkErrorCode = 'DEVICE_OFFLINE' | 'TIMEOUT';

export class LinkError extends Error {
  readonly code: LinkErrorCode;
  constructor(code: LinkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinkError';
    this.code = code;
  }
}

/** The link could not be opened, was closed, or broke. */
export class LinkOfflineError extends LinkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEVICE_OFFLINE', message, options);
    this.name = 'LinkOfflineError';
  }
}

/** The device did not connect, or did not accept the connection, in time. */
export class LinkTimeoutError extends LinkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
    this.name = 'LinkTimeoutError';
  }
}
