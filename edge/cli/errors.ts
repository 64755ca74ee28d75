/** A bad command line: exit 2 with this message and a hint to --help. */
export class UsageError extends Error {
  readonly code = 'USAGE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An expected domain failure (bad input file, invalid code, device offline): exit 1 with this message. */
export class CommandFailure extends Error {
  readonly code = 'FAILURE' as const;
  readonly details: unknown;
  constructor(message: string, details?: unknown) {
    super(message);
    this.name = 'CommandFailure';
    this.details = details;
  }
}
