import { CODE_KINDS, type CodeKind } from '../domain/kinds.ts';
import { DEFAULT_PROFILES, type CodeProfile } from './profile.ts';
import { profileLayout } from './profile-layout.ts';
import type { RecordLayout } from './record-layout.ts';

/** Why a code does not fit its profile. A closed set: callers (reader handling, import, CLI) branch on it. */
export type CodeDefect = 'empty' | 'length' | 'prefix' | 'alphabet' | 'check-char' | 'check-digit';

/**
 * The outcome of checking one code's format offline. `message` is Chinese first with English in
 * parentheses and never contains the code itself (it may be a secret); `position` is 1-based.
 * `ok: true` means well-formed only — whether the code exists and is unused is the database's answer.
 */
export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: CodeDefect; readonly message: string; readonly position?: number };

function charLabel(code: string, i: number): string {
  const c = code.codePointAt(i) ?? 0;
  return c >= 0x21 && c <= 0x7e ? `"${String.fromCodePoint(c)}"` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

function checkAgainst(code: string, layout: RecordLayout, scheme: CodeProfile['scheme']): VerifyResult {
  if (code.length === 0) return { ok: false, reason: 'empty', message: '码为空 (empty code)' };
  if (code.length !== layout.width) {
    return { ok: false, reason: 'length', message: `长度应为 ${layout.width}，实际 ${code.length} (length must be ${layout.width}, got ${code.length})` };
  }
  const { prefix, alphabet, length, check } = layout;
  for (let i = 0; i < prefix.length; i += 1) {
    if (code.charCodeAt(i) !== prefix[i]) {
      const expected = String.fromCharCode(...prefix);
      return { ok: false, reason: 'prefix', position: i + 1, message: `前缀应为 "${expected}"，第 ${i + 1} 位不符 (prefix must be "${expected}"; character ${i + 1} differs)` };
    }
  }
  let state = check ? check.afterPrefix : 0;
  const end = prefix.length + length;
  for (let i = prefix.length; i < end; i += 1) {
    const c = code.charCodeAt(i);
    const v = c < 256 ? alphabet.indexOfByte[c]! : -1;
    if (v < 0) {
      return { ok: false, reason: 'alphabet', position: i + 1, message: `第 ${i + 1} 位 ${charLabel(code, i)} 不是 ${alphabet.name} 字符 (character ${i + 1} is not in alphabet ${alphabet.name})` };
    }
    if (check) state = check.table.next[state * alphabet.size + v]!;
  }
  if (check && code.charCodeAt(end) !== check.table.checkByte[state]) {
    return scheme === 'sscc'
      ? { ok: false, reason: 'check-digit', position: end + 1, message: 'GS1 校验位错误：可能误读或输错 (GS1 check digit is wrong: misread or mistyped)' }
      : { ok: false, reason: 'check-char', position: end + 1, message: '校验字符错误：可能误读或输错 (check character is wrong: misread or mistyped)' };
  }
  return { ok: true };
}

/**
 * Checks `code` against `profile` offline: length, prefix (station prefix; SSCC extension digit + company
 * prefix), alphabet, and the check character (ISO/IEC 7064) or GS1 check digit. Throws InvalidProfileError
 * for an invalid profile. A misread is caught here before any database lookup.
 */
export function verifyCode(code: string, profile: CodeProfile): VerifyResult {
  return checkAgainst(code, profileLayout(profile), profile.scheme);
}

export type IdentifyResult =
  | { readonly ok: true; readonly kinds: readonly CodeKind[] }
  | { readonly ok: false; readonly reason: CodeDefect; readonly message: string; readonly position?: number };

/**
 * Which kinds' profiles `code` is well-formed for (default profiles unless given). Several kinds may share
 * one format (cap-inner and case-inner both default to 16 + 1 Crockford characters), so the answer is a
 * list in CODE_KINDS order. When none fits, the defect reported is the one from a profile of the code's
 * length (the most specific), or a length defect listing the lengths in use.
 */
export function identifyCode(code: string, profiles: Readonly<Record<CodeKind, CodeProfile>> = DEFAULT_PROFILES): IdentifyResult {
  const kinds: CodeKind[] = [];
  let closest: VerifyResult | null = null;
  const widths = new Set<number>();
  for (const kind of CODE_KINDS) {
    const profile = profiles[kind];
    const layout = profileLayout(profile);
    widths.add(layout.width);
    const result = checkAgainst(code, layout, profile.scheme);
    if (result.ok) kinds.push(kind);
    else if (result.reason !== 'length' && closest === null) closest = result;
  }
  if (kinds.length > 0) return { ok: true, kinds };
  if (closest && !closest.ok) return closest;
  if (code.length === 0) return { ok: false, reason: 'empty', message: '码为空 (empty code)' };
  const list = [...widths].sort((a, b) => a - b).join(' / ');
  return { ok: false, reason: 'length', message: `长度 ${code.length} 不符合任何码规则 (${list} 位) (length ${code.length} fits no code profile: ${list})` };
}
