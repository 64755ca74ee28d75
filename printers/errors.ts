import { LinkError } from '../links/index.ts';

/**
 * Errors of the printers package. Branch on `code`, never on message text. Device outcomes of a print are values
 * (`PrintResult`); these are thrown only for broken links, bad configuration and bugs.
 * Messages are Simplified Chinese first, English in parentheses; they never contain a full code.
 */
export type PrinterErrorCode =
  | 'DEVICE_OFFLINE'
  | 'REPLY_TIMEOUT'
  | 'FRAME_TOO_LARGE'
  | 'PROTOCOL'
  | 'CONFIG'
  | 'NOT_OPEN'
  | 'BUG';

export class PrinterError extends Error {
  readonly code: PrinterErrorCode;
  constructor(code: PrinterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrinterError';
    this.code = code;
  }
}

/** The link could not be opened or was lost. */
export class DeviceOfflineError extends PrinterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEVICE_OFFLINE', message, options);
    this.name = 'DeviceOfflineError';
  }
}

export class ReplyTimeoutError extends PrinterError {
  constructor(message: string) {
    super('REPLY_TIMEOUT', message);
    this.name = 'ReplyTimeoutError';
  }
}

/** The device sent something this protocol does not allow. */
export class ProtocolError extends PrinterError {
  constructor(message: string) {
    super('PROTOCOL', message);
    this.name = 'ProtocolError';
  }
}

/** A bad printer configuration; `path` names the field (e.g. `options.lengthBytes`). */
export class PrinterConfigError extends PrinterError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('CONFIG', `打印机配置错误 ${path}: ${message} (bad printer config at ${path})`);
    this.name = 'PrinterConfigError';
    this.path = path;
  }
}

export class NotOpenError extends PrinterError {
  constructor(state: string) {
    super('NOT_OPEN', `打印机未连接 (printer is not open; state ${state})`);
    this.name = 'NotOpenError';
  }
}

/** A broken invariant inside this package — never thrown for bad input. */
export class PrinterBugError extends PrinterError {
  constructor(message: string) {
    super('BUG', message);
    this.name = 'PrinterBugError';
  }
}

/**
 * A failure of the byte link (links/) as this package's error, so `open`, `print` and `status` throw only
 * PrinterErrors: every LinkError — a connect timeout included — is DEVICE_OFFLINE here, with the same message and
 * the link error as `cause`. Anything else is returned unchanged.
 */
export function fromLinkError(error: unknown): unknown {
  return error instanceof LinkError ? new DeviceOfflineError(error.message, { cause: error }) : error;
}
