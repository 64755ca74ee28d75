/**
 * Masking for cap-inner / case-inner codes inside sync (which cannot import edge/domain/mask.ts): the first four
 * and last two characters of a long value (`N7K2…Q9`), less for short ones, so at most half is ever shown.
 */
import { SECRET_LINE_KINDS, type LineCodeKind } from './line-fact.ts';

export function maskSecret(code: string): string {
  if (code.length >= 12) return `${code.slice(0, 4)}…${code.slice(-2)}`;
  if (code.length >= 6) return `${code.slice(0, 2)}…${code.slice(-1)}`;
  return '…';
}

/** The code as it may appear in a message: masked when its kind is secret. */
export function displayLineCode(code: string, kind: LineCodeKind): string {
  return SECRET_LINE_KINDS.has(kind) ? maskSecret(code) : code;
}

/**
 * An identifier URI as it may appear in a receiver message or log: the last path segment is masked when a
 * path segment names a secret kind (`…/cap-inner/N7K2…Q9`), which is how `uriTemplate`'s `{kind}` renders them.
 */
export function maskIdentifier(uri: string): string {
  const m = /^(.*\/(?:cap-inner|case-inner)\/)([^/?#]+)$/.exec(uri);
  return m ? `${m[1] ?? ''}${maskSecret(decodeURIComponent(m[2] ?? ''))}` : uri;
}
