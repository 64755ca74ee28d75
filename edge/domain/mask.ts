import { SECRET_KINDS, type CodeKind } from './kinds.ts';

/**
 * Masks a secret code for display: the first four and last two characters with an ellipsis between
 * (`N7K2…Q9`). Short values keep even less, so at most half of any code is ever shown.
 */
export function maskCode(code: string): string {
  if (code.length >= 12) return `${code.slice(0, 4)}…${code.slice(-2)}`;
  if (code.length >= 6) return `${code.slice(0, 2)}…${code.slice(-1)}`;
  return '…';
}

/** Masks the value when its kind is secret (cap-inner, case-inner); returns it unchanged otherwise. */
export function displayCode(code: string, kind: CodeKind): string {
  return SECRET_KINDS.has(kind) ? maskCode(code) : code;
}
