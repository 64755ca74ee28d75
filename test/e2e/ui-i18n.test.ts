import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every key the renderer's code uses (literal `t('…')` / `tOr('…')` calls, and the prefixes of keys it builds from
 * server values) and every key of en.json must exist, non-empty, in zh-CN.json, the default. The rendered-page
 * half (no visible text node is an untranslated key) runs in Chromium in ui.test.ts. (Here, not beside the renderer:
 * the renderer folder holds browser code only, node:* imports included.)
 */
const DIR = fileURLToPath(new URL('../../desktop/renderer/', import.meta.url));
const load = (name: string): Record<string, string> => JSON.parse(readFileSync(join(DIR, 'locales', name), 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'locales' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const zh = load('zh-CN.json');
const en = load('en.json');
const code = sources(DIR).map((f) => readFileSync(f, 'utf8')).join('\n');

describe('locales', () => {
  it('has every literal key used in the code, non-empty, in zh-CN and en', () => {
    const used = new Set([...code.matchAll(/\bt(?:Or)?\(\s*'([^']+)'/g)].map((m) => m[1] ?? ''));
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !(zh[k] ?? '').trim())).toEqual([]);
    expect([...used].filter((k) => !(en[k] ?? '').trim())).toEqual([]);
  });

  it('has at least one key for every prefix of a key built in the code (`t(`reason.${…}`)`)', () => {
    const prefixes = new Set([...code.matchAll(/\bt(?:Or)?\(\s*`([a-zA-Z.-]+)\$\{/g)].map((m) => m[1] ?? ''));
    expect(prefixes.size).toBeGreaterThan(10);
    expect([...prefixes].filter((p) => !Object.keys(zh).some((k) => k.startsWith(p)))).toEqual([]);
  });

  it('zh-CN has every en key, non-empty, and en every zh-CN key', () => {
    expect(Object.keys(en).filter((k) => !(zh[k] ?? '').trim())).toEqual([]);
    expect(Object.keys(zh).filter((k) => !(en[k] ?? '').trim())).toEqual([]);
  });

  it('uses the same {placeholders} in both languages', () => {
    const ph = (s: string): string => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
    expect(Object.keys(zh).filter((k) => en[k] !== undefined && ph(zh[k] ?? '') !== ph(en[k] ?? ''))).toEqual([]);
  });

  it('zh-CN is Chinese where en is English: a zh-CN value equal to its en value is only a proper name', () => {
    const same = Object.keys(zh).filter((k) => zh[k] === en[k] && /[a-z]{3}/.test(zh[k] ?? ''));
    expect(same).toEqual(['lang.en']);
  });
});
