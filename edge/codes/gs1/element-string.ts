import { aiAt, lookupAi } from './ai-table.ts';
import { Gs1Error } from './errors.ts';
import { describeIssues, type Gs1Element, type Gs1Issue } from './issue.ts';
import { validateElement } from './validate-element.ts';

/** ASCII GS (0x1D): how scanners transmit FNC1 used as a field separator (GS1 General Specifications §7.8.5.2). */
export const GS = '\u001d';

/**
 * AIM symbology identifiers (ISO/IEC 15424) whose data is a GS1 element string: GS1-128 `]C1`, GS1 DataMatrix
 * `]d2`, GS1 QR `]Q3`, GS1 DataBar and composites `]e0`, GS1 DotCode `]J1`.
 */
export const GS1_SYMBOLOGY_IDS: readonly string[] = [']C1', ']d2', ']Q3', ']e0', ']J1'];

export type Gs1ParseResult =
  | { readonly ok: true; readonly elements: readonly Gs1Element[]; readonly symbologyId: string | null }
  | { readonly ok: false; readonly issues: readonly Gs1Issue[] };

type Partial = { elements: { ai: string; value: string; at: number }[]; issues: Gs1Issue[] };

/**
 * Parses a GS1 element string in any of the forms a station meets:
 * - bracketed (human-readable) `(01)09501101530003(21)ABC` (a literal `(` in a value is written `\(`);
 * - raw, with GS (0x1D) after every element whose AI needs FNC1 except the last, optionally led by a GS
 *   standing for the leading FNC1;
 * - either of those after an AIM symbology identifier (`]d2`, `]C1`, `]Q3`, `]e0`, `]J1`); other identifiers
 *   (`]d1`, `]Q1`, …) mean the symbol is not GS1 and give a `not-gs1` issue.
 * Every value is validated against the syntax dictionary (length, character set, check digits, dates).
 * Issues name the AI, the 0-based position in `input` and the reason; values are never echoed in full.
 * `validate: false` checks only the structure (brackets, known AIs, separators), not the values.
 */
export function parseElementString(input: string, options: { validate?: boolean } = {}): Gs1ParseResult {
  if (input.length === 0) return { ok: false, issues: [{ reason: 'empty', ai: null, position: 0, message: '数据为空 (empty input)' }] };
  let at = 0;
  let symbologyId: string | null = null;
  if (input.startsWith(']')) {
    symbologyId = input.slice(0, 3);
    if (!GS1_SYMBOLOGY_IDS.includes(symbologyId)) {
      return { ok: false, issues: [{ reason: 'not-gs1', ai: null, position: 0,
        message: `符号标识 ${symbologyId} 表示非 GS1 数据 (symbology identifier ${symbologyId} is not GS1 data)` }] };
    }
    at = 3;
  }
  const parsed = input[at] === '(' ? parseBracketed(input, at) : parseRaw(input, at);
  const issues = [...parsed.issues];
  const elements: Gs1Element[] = [];
  const seen = new Map<string, string>();
  for (const e of parsed.elements) {
    if (options.validate !== false) issues.push(...validateElement(e.ai, e.value, e.at));
    const previous = seen.get(e.ai);
    if (previous !== undefined) {
      if (previous !== e.value) issues.push({ reason: 'duplicate-ai', ai: e.ai, position: e.at, message: `AI ${e.ai} 重复且取值不同 (repeated with a different value)` });
      continue;
    }
    seen.set(e.ai, e.value);
    elements.push({ ai: e.ai, value: e.value });
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, elements, symbologyId };
}

function parseBracketed(input: string, start: number): Partial {
  const out: Partial = { elements: [], issues: [] };
  let i = start;
  while (i < input.length) {
    const m = /^\((\d{2,4})\)/.exec(input.slice(i, i + 6));
    if (!m) {
      out.issues.push({ reason: 'bad-syntax', ai: null, position: i, message: '此处应为 (AI)，如 (01) (expected an AI in brackets, e.g. (01))' });
      return out;
    }
    const ai = m[1] ?? '';
    if (!lookupAi(ai)) {
      out.issues.push({ reason: 'unknown-ai', ai, position: i + 1, message: `未知的应用标识符 (unknown application identifier) ${ai}` });
      return out;
    }
    const valueAt = i + m[0].length;
    let value = '';
    let j = valueAt;
    while (j < input.length && input[j] !== '(') {
      if (input[j] === '\\' && input[j + 1] === '(') j += 1;
      value += input[j];
      j += 1;
    }
    out.elements.push({ ai, value, at: valueAt });
    i = j;
  }
  return out;
}

function parseRaw(input: string, start: number): Partial {
  const out: Partial = { elements: [], issues: [] };
  let i = input[start] === GS ? start + 1 : start;
  while (i < input.length) {
    const entry = aiAt(input, i);
    if (!entry) {
      // The first two digits of an AI fix its length (GS1 General Specifications §3.2); name those.
      const shown = /^\d{0,2}/.exec(input.slice(i))?.[0] ?? '';
      out.issues.push({ reason: 'unknown-ai', ai: shown.length === 2 ? shown : null, position: i,
        message: shown.length === 2 ? `没有以 ${shown} 开头的应用标识符 (unknown application identifier ${shown}…)` : '此处应为应用标识符 (expected an AI)' });
      return out;
    }
    const valueAt = i + entry.ai.length;
    if (!entry.fnc1Required) {
      const value = input.slice(valueAt, valueAt + entry.maxLength);
      out.elements.push({ ai: entry.ai, value, at: valueAt });
      if (value.length < entry.maxLength) return out;
      i = valueAt + entry.maxLength;
      // A superfluous separator after a predefined-length element is tolerated, as scanners and decoders do.
      if (input[i] === GS) i += 1;
      continue;
    }
    const gs = input.indexOf(GS, valueAt);
    const end = gs < 0 ? input.length : gs;
    const value = input.slice(valueAt, end);
    if (value.length > entry.maxLength) {
      // Either the value is too long, or the separator was left out and the next element ran into this
      // one; when an AI starts right at the maximum length the second is far more likely.
      const next = valueAt + entry.maxLength;
      out.issues.push(aiAt(input, next)
        ? { reason: 'missing-separator', ai: entry.ai, position: next, message: `AI ${entry.ai} 之后缺少分隔符 GS/FNC1 (missing separator after AI ${entry.ai})` }
        : { reason: 'too-long', ai: entry.ai, position: next, message: `长度 ${value.length} 超过上限 ${entry.maxLength} (too long)` });
      return out;
    }
    out.elements.push({ ai: entry.ai, value, at: valueAt });
    i = end + 1;
  }
  return out;
}

/**
 * Builds the raw element string a scanner transmits: AI + value, with GS after every element whose AI needs
 * FNC1 (no `*` flag: variable-length AIs and a few fixed-length ones such as 7001) unless it is the last.
 * The leading FNC1 of the symbol is not included. Throws Gs1Error when any element is invalid.
 */
export function toRawElementString(elements: readonly Gs1Element[], separator: string = GS): string {
  assertValid(elements);
  return elements.map((e, i) => `${e.ai}${e.value}${lookupAi(e.ai)?.fnc1Required === true && i < elements.length - 1 ? separator : ''}`).join('');
}

/** Builds the bracketed form `(01)…(21)…` (the input of bwip-js GS1 symbologies); `(` in values becomes `\(`. */
export function toBracketedElementString(elements: readonly Gs1Element[]): string {
  assertValid(elements);
  return elements.map((e) => `(${e.ai})${e.value.replaceAll('(', '\\(')}`).join('');
}

function assertValid(elements: readonly Gs1Element[]): void {
  const issues = elements.flatMap((e) => validateElement(e.ai, e.value));
  if (elements.length === 0) issues.push({ reason: 'empty', ai: null, position: 0, message: '没有任何数据元素 (no elements)' });
  if (issues.length > 0) throw new Gs1Error('INVALID_ELEMENT_STRING', `GS1 数据无效 (invalid GS1 data): ${describeIssues(issues)}`, { issues });
}
