/**
 * Generates `edge/codes/gs1/ai-table.generated.ts` from the GS1 Barcode Syntax Dictionary
 * (`../shared/standards/gs1-syntax-dictionary/gs1-syntax-dictionary.txt`, gs1/gs1-syntax-dictionary,
 * Apache-2.0). The table is never retyped by hand: `gen-gs1-table.test.ts` regenerates it in memory and fails
 * when the committed file differs.
 *
 * Line syntax (dictionary header): `AIs [Flags] Specification [Attributes...] [# Title]`, where AIs is one AI
 * or a range `3100-3105`, flags `*` (predefined length, no FNC1 separator) and `?` (allowed as a Digital Link
 * data attribute), components `[`?`N|X|Y|Z` length `]`? `,linter...`, attributes `req=`, `ex=`, `dlpkey[=…]`.
 *
 * Usage: `node_modules/.bin/node scripts/gen-gs1-table.ts [--check]` (`--check` exits 1 when the committed
 * file is stale instead of writing it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DICTIONARY_PATH = join(import.meta.dirname, '..', '..', 'shared', 'standards', 'gs1-syntax-dictionary', 'gs1-syntax-dictionary.txt');
export const DICTIONARY_LABEL = '../shared/standards/gs1-syntax-dictionary/gs1-syntax-dictionary.txt';
export const TABLE_PATH = join(import.meta.dirname, '..', 'edge', 'codes', 'gs1', 'ai-table.generated.ts');

interface Component {
  cset: 'N' | 'X' | 'Y' | 'Z';
  min: number;
  max: number;
  optional: boolean;
  linters: string[];
}

interface Entry {
  ai: string;
  title: string;
  fnc1Required: boolean;
  dlDataAttribute: boolean;
  fixedLength: boolean;
  minLength: number;
  maxLength: number;
  components: Component[];
  req: string[][][];
  ex: string[];
  dlPrimaryKey: string[][] | null;
}

/** A line of the dictionary that does not follow its documented syntax. */
export class DictionaryError extends Error {
  readonly code = 'BAD_DICTIONARY' as const;
  constructor(line: number, message: string) {
    super(`gs1-syntax-dictionary.txt line ${line}: ${message}`);
    this.name = 'DictionaryError';
  }
}

const COMPONENT = /^(\[?)([NXYZ])(\.\.)?(\d+)(\]?)((?:,[a-z0-9]+)*)$/;
const FLAGS = /^[*!?"$%&'()+,\-./:;<=>@[\\\]^_`{|}~]+$/;

function parseComponent(token: string, line: number): Component {
  const m = COMPONENT.exec(token);
  if (!m) throw new DictionaryError(line, `bad component "${token}"`);
  const [, open, cset, dots, digits, close, linters] = m;
  if ((open === '[') !== (close === ']')) throw new DictionaryError(line, `unbalanced brackets in "${token}"`);
  const n = Number(digits);
  return {
    cset: cset as Component['cset'],
    min: dots ? 1 : n,
    max: n,
    optional: open === '[',
    linters: (linters ?? '').split(',').filter((l) => l.length > 0),
  };
}

function expandAis(spec: string, line: number): string[] {
  const range = /^(\d{2,4})(?:-(\d{2,4}))?$/.exec(spec);
  if (!range) throw new DictionaryError(line, `bad AI "${spec}"`);
  const first = range[1] ?? '';
  const last = range[2] ?? first;
  if (last.length !== first.length || last < first) throw new DictionaryError(line, `bad AI range "${spec}"`);
  const out: string[] = [];
  for (let n = Number(first); n <= Number(last); n += 1) out.push(String(n).padStart(first.length, '0'));
  return out;
}

function parseLine(text: string, line: number): Entry[] {
  const hash = text.indexOf('#');
  const title = hash >= 0 ? text.slice(hash + 1).trim() : '';
  const tokens = (hash >= 0 ? text.slice(0, hash) : text).trim().split(/\s+/);
  const aiSpec = tokens.shift() ?? '';
  let flags = '';
  if (tokens[0] !== undefined && FLAGS.test(tokens[0])) flags = tokens.shift() ?? '';
  const components: Component[] = [];
  const req: string[][][] = [];
  const ex: string[] = [];
  let dlPrimaryKey: string[][] | null = null;
  for (const token of tokens) {
    if (/^\[?[NXYZ]/.test(token)) {
      if (req.length > 0 || ex.length > 0 || dlPrimaryKey) throw new DictionaryError(line, `component "${token}" after attributes`);
      components.push(parseComponent(token, line));
    } else if (token.startsWith('req=')) {
      req.push(token.slice(4).split(',').map((alt) => alt.split('+')));
    } else if (token.startsWith('ex=')) {
      ex.push(...token.slice(3).split(','));
    } else if (token === 'dlpkey') {
      dlPrimaryKey = [[]];
    } else if (token.startsWith('dlpkey=')) {
      dlPrimaryKey = token.slice(7).split('|').map((seq) => seq.split(','));
    } else {
      throw new DictionaryError(line, `unknown token "${token}"`);
    }
  }
  if (components.length === 0) throw new DictionaryError(line, `AI ${aiSpec} has no components`);
  components.forEach((c, i) => {
    if (c.min !== c.max && i !== components.length - 1) throw new DictionaryError(line, 'only the final component may have variable length');
    if (!c.optional && components.slice(0, i).some((p) => p.optional)) throw new DictionaryError(line, 'mandatory component after an optional one');
  });
  const minLength = components.filter((c) => !c.optional).reduce((s, c) => s + c.min, 0);
  const maxLength = components.reduce((s, c) => s + c.max, 0);
  return expandAis(aiSpec, line).map((ai) => ({
    ai,
    title,
    fnc1Required: !flags.includes('*'),
    dlDataAttribute: flags.includes('?'),
    fixedLength: minLength === maxLength,
    minLength,
    maxLength,
    components,
    req,
    ex,
    dlPrimaryKey,
  }));
}

/** Parses the dictionary text into entries, one per AI (ranges expanded), in file order. */
export function parseDictionary(text: string): Entry[] {
  const entries: Entry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    entries.push(...parseLine(trimmed, i + 1));
  });
  // Raw element strings carry no AI lengths: parsing relies on no AI being a prefix of another.
  const ais = entries.map((e) => e.ai);
  for (const a of ais) {
    const clash = ais.find((b) => b !== a && b.startsWith(a));
    if (clash) throw new DictionaryError(0, `AI ${a} is a prefix of AI ${clash}; raw parsing would be ambiguous`);
  }
  return entries;
}

/** The TypeScript source of the generated table (deterministic: same dictionary, same bytes). */
export function generateAiTable(dictionaryText: string, sourceLabel = DICTIONARY_LABEL): string {
  const entries = parseDictionary(dictionaryText);
  const lines = [
    '// GENERATED FILE — do not edit. Regenerate with `node_modules/.bin/node scripts/gen-gs1-table.ts`.',
    `// Source: ${sourceLabel} (GS1 Barcode Syntax Dictionary, gs1/gs1-syntax-dictionary, Apache-2.0).`,
    `// ${entries.length} AIs; ranges such as 3100-3105 are expanded to one entry per AI.`,
    "import type { AiEntry } from './ai-entry.ts';",
    '',
    'export const AI_ENTRIES: readonly AiEntry[] = [',
    ...entries.map((e) => `  ${JSON.stringify(e)},`),
    '];',
    '',
  ];
  return lines.join('\n');
}

if (import.meta.main) {
  const source = generateAiTable(readFileSync(DICTIONARY_PATH, 'utf8'));
  if (process.argv.includes('--check')) {
    let current = '';
    try { current = readFileSync(TABLE_PATH, 'utf8'); } catch { current = ''; }
    if (current !== source) {
      console.error(`${TABLE_PATH} 已过期，请重新生成 (is stale; run node_modules/.bin/node scripts/gen-gs1-table.ts)`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(TABLE_PATH, source);
    console.log(`wrote ${TABLE_PATH}`);
  }
}
