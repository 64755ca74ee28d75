/**
 * Errors of the PLC package. Branch on `code`, never on message text. A reject that the kicker did not confirm is
 * a value (`RejectOutcome`), not an error; these are thrown only for broken links, bad configuration, protocol
 * violations and bugs. Messages are Simplified Chinese first, English in parentheses.
 */
export type PlcErrorCode = 'PLC_OFFLINE' | 'PLC_TIMEOUT' | 'PLC_EXCEPTION' | 'PLC_PROTOCOL' | 'PLC_CONFIG' | 'PLC_CLOSED' | 'PLC_BUG';

export class PlcError extends Error {
  readonly code: PlcErrorCode;
  constructor(code: PlcErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PlcError';
    this.code = code;
  }
}

/** The link to the PLC could not be opened or was lost (TCP refused/reset, serial port missing, OPC UA session gone). */
export class PlcOfflineError extends PlcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PLC_OFFLINE', message, options);
    this.name = 'PlcOfflineError';
  }
}

/** The PLC did not answer a request within the configured request timeout. */
export class PlcTimeoutError extends PlcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PLC_TIMEOUT', message, options);
    this.name = 'PlcTimeoutError';
  }
}

/** The PLC answered with a Modbus exception (function code | 0x80) or an OPC UA bad status. */
export class PlcExceptionError extends PlcError {
  /** Modbus exception code (01 illegal function, 02 illegal address, 03 illegal value, 04 slave failure, 06 busy) or OPC UA status code. */
  readonly deviceCode: number;
  constructor(deviceCode: number, message: string, options?: { cause?: unknown }) {
    super('PLC_EXCEPTION', message, options);
    this.name = 'PlcExceptionError';
    this.deviceCode = deviceCode;
  }
}

/** The PLC sent something the protocol or the register map does not allow (bad PackML number, wrong length). */
export class PlcProtocolError extends PlcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PLC_PROTOCOL', message, options);
    this.name = 'PlcProtocolError';
  }
}

/** A register map or driver option is invalid; `path` names the field (e.g. `holding.goodCount`). */
export class PlcConfigError extends PlcError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('PLC_CONFIG', message);
    this.name = 'PlcConfigError';
    this.path = path;
  }
}

/** The port was used after `close()` or before `connect()`. */
export class PlcClosedError extends PlcError {
  constructor(message = 'PLC 连接未打开或已关闭 (PLC port is not open)') {
    super('PLC_CLOSED', message);
    this.name = 'PlcClosedError';
  }
}

/** A broken invariant in our own code. */
export class PlcBugError extends PlcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PLC_BUG', message, options);
    this.name = 'PlcBugError';
  }
}
