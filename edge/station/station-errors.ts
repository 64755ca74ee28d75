/** Errors of the station runtime. Branch on `code`, never on message text. */
export type StationErrorCode = 'STATION_CONFIG' | 'STATION_STATE' | 'STATION_BUG';

export class StationError extends Error {
  readonly code: StationErrorCode;
  constructor(code: StationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StationError';
    this.code = code;
  }
}

/** The request does not fit the station's state (no running batch, pallet empty, …); nothing was changed. */
export class StationStateError extends StationError {
  constructor(message: string) {
    super('STATION_STATE', message);
    this.name = 'StationStateError';
  }
}

/** The configuration cannot be wired (unsupported driver, bad address); `path` names the field. */
export class StationConfigError extends StationError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('STATION_CONFIG', `${path}: ${message}`);
    this.name = 'StationConfigError';
    this.path = path;
  }
}

/** A broken invariant in the station's own code (e.g. a transition its machine refuses). */
export class StationBugError extends StationError {
  constructor(message: string) {
    super('STATION_BUG', message);
    this.name = 'StationBugError';
  }
}
