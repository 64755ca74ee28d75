/** Errors of bulk code generation. Branch on `code`, never on the message. Messages never contain a code value. */
export type GenerateErrorCode =
  | 'INVALID_REQUEST'
  | 'CODE_SPACE_EXHAUSTED'
  | 'OUT_EXISTS'
  | 'OUT_FAILED'
  | 'CANCELLED'
  | 'WORKER_FAILED';

export class GenerateError extends Error {
  readonly code: GenerateErrorCode;
  constructor(code: GenerateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GenerateError';
    this.code = code;
  }
}

/** A broken invariant of the generation pipeline: a bug, never an expected outcome. */
export class GenerateBug extends Error {
  readonly code = 'GENERATE_BUG' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GenerateBug';
  }
}
