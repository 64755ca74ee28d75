/** Errors of the Electron shell. Branch on `code`, never on the message. */
export type ShellErrorCode = 'untrusted-sender' | 'bad-request' | 'bad-arguments' | 'edge-unavailable';

export class ShellError extends Error {
  readonly code: ShellErrorCode;

  constructor(code: ShellErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShellError';
    this.code = code;
  }
}
