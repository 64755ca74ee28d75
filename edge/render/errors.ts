import type { Gs1Issue } from '../codes/gs1/issue.ts';

/**
 * Errors of symbol rendering. Branch on `code`. Messages name what is wrong (symbology, scale, AI, position)
 * but never echo the data: it may hold a secret cap-inner or case-inner code.
 */
export type RenderErrorCode = 'INVALID_GS1_DATA' | 'INVALID_DATA' | 'INVALID_OPTION' | 'ENCODER_FAILED';

export class RenderError extends Error {
  readonly code: RenderErrorCode;
  readonly issues: readonly Gs1Issue[];
  constructor(code: RenderErrorCode, message: string, options?: { cause?: unknown; issues?: readonly Gs1Issue[] }) {
    super(message, options);
    this.name = 'RenderError';
    this.code = code;
    this.issues = options?.issues ?? [];
  }
}
