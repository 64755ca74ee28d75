import type { Gs1Issue } from './issue.ts';

/**
 * Errors of GS1 syntax, Digital Link and symbol content. Parsers return their findings as values
 * (`Gs1Issue[]`); these are thrown only by builders given data that cannot be encoded. Branch on `code`.
 */
export type Gs1ErrorCode = 'INVALID_ELEMENT_STRING' | 'INVALID_DIGITAL_LINK' | 'INVALID_URI_STEM' | 'CONTENT_UNSUPPORTED';

export class Gs1Error extends Error {
  readonly code: Gs1ErrorCode;
  readonly issues: readonly Gs1Issue[];
  constructor(code: Gs1ErrorCode, message: string, options?: { cause?: unknown; issues?: readonly Gs1Issue[] }) {
    super(message, options);
    this.name = 'Gs1Error';
    this.code = code;
    this.issues = options?.issues ?? [];
  }
}
