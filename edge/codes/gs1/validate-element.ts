import { lookupAi } from './ai-table.ts';
import { charsetViolation } from './charsets.ts';
import type { Gs1Issue } from './issue.ts';
import { LINTERS } from './linters.ts';

const CSET_NAME = { N: '数字 (digits)', X: 'GS1 字符集 82 (CSET 82)', Y: 'GS1 字符集 39 (CSET 39)', Z: 'base64url (CSET 64)' } as const;

/** Shows a single offending character safely: printable ASCII as is, anything else as U+XXXX. */
function showChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code > 0x20 && code < 0x7f ? `"${c}"` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Checks one AI's value against its dictionary entry: components consumed left to right (fixed-length ones
 * take exactly their length, the last may vary, optional ones may be absent once the data is exhausted),
 * character set per component, then the component's linters. `at` is where the value starts in the input,
 * so issue positions point into what the user typed or scanned. Returns [] when the value is valid.
 */
export function validateElement(ai: string, value: string, at = 0): Gs1Issue[] {
  const entry = lookupAi(ai);
  if (!entry) return [{ reason: 'unknown-ai', ai, position: at, message: `未知的应用标识符 (unknown application identifier) ${ai}` }];
  if (value.length === 0) return [{ reason: 'too-short', ai, position: at, message: '数据为空 (empty value)' }];
  if (value.length > entry.maxLength) {
    return [{ reason: 'too-long', ai, position: at + entry.maxLength, message: `长度 ${value.length} 超过上限 ${entry.maxLength} (too long)` }];
  }
  let pos = 0;
  for (const component of entry.components) {
    if (pos >= value.length && component.optional) break;
    const data = value.slice(pos, pos + component.max);
    if (data.length < component.min) {
      return [{ reason: 'too-short', ai, position: at + value.length, message: `长度 ${value.length} 不足 ${entry.minLength} (too short)` }];
    }
    const bad = charsetViolation(component.cset, data);
    if (bad >= 0) {
      return [{ reason: 'bad-charset', ai, position: at + pos + bad,
        message: `字符 ${showChar(data[bad] ?? '')} 不属于${CSET_NAME[component.cset]} (character not allowed)` }];
    }
    for (const name of component.linters) {
      const failure = LINTERS[name]?.(data);
      if (failure) return [{ reason: failure.reason, ai, position: at + pos + failure.offset, message: failure.message }];
    }
    pos += data.length;
  }
  return [];
}
