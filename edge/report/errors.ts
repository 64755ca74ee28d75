/** Errors of report rendering. Branch on `code`, never on the message. */
export type ReportErrorCode = 'FONT_MISSING' | 'RENDER_FAILED';

export class ReportError extends Error {
  readonly code: ReportErrorCode;
  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportError';
    this.code = code;
  }
}
