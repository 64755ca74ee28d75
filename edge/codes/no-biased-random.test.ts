import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from '@babel/parser';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN §5: code generation draws only from the injected CSPRNG port, with rejection sampling — never
 * `Math.random`, never `% n` on random bytes (CodeQL js/biased-cryptographic-random). This test parses every
 * source of edge/codes and fails on:
 * - any `Math.random` (member access, computed or not) anywhere in edge/codes;
 * - any `%` / `%=` in edge/codes outside the checksum file, which computes ISO/IEC 7064 check
 *   characters over code characters and must not touch randomness (they may not import the random port).
 * gs1/ and content.ts (parsing and symbol content, no generation) are checked for Math.random only.
 */
const CODES_DIR = import.meta.dirname;
const CHECKSUM_FILES = new Set(['check-char.ts']);
const RANDOM_MODULES = ['./random-source.ts', './draw-symbols.ts', './write-records.ts', './generate.ts'];

interface Finding {
  readonly rule: 'math-random' | 'modulo';
  readonly line: number;
}

type Node = { type?: unknown; start?: number; [key: string]: unknown };

function lineOf(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i += 1) if (source.charCodeAt(i) === 10) line += 1;
  return line;
}

function isMathRandom(node: Node): boolean {
  if (node.type !== 'MemberExpression') return false;
  const object = node['object'] as Node | undefined;
  const property = node['property'] as Node | undefined;
  if (object?.type !== 'Identifier' || object['name'] !== 'Math' || !property) return false;
  if (node['computed'] === true) return (property.type === 'StringLiteral' || property.type === 'Literal') && property['value'] === 'random';
  return property['name'] === 'random';
}

/** Every Math.random access and every `%` / `%=` in `source`, with 1-based lines. */
function findBiasHazards(fileName: string, source: string): Finding[] {
  let parsed: { program: unknown };
  try {
    parsed = parse(source, { sourceType: 'module', plugins: ['typescript'] });
  } catch (error) {
    throw new Error(`${fileName}: parse error ${error instanceof Error ? error.message : String(error)}`);
  }
  const findings: Finding[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as Node;
    if (isMathRandom(node)) findings.push({ rule: 'math-random', line: lineOf(source, node.start ?? 0) });
    if ((node.type === 'BinaryExpression' && node['operator'] === '%') || (node.type === 'AssignmentExpression' && node['operator'] === '%=')) {
      findings.push({ rule: 'modulo', line: lineOf(source, node.start ?? 0) });
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'parent' && key !== 'loc') visit(child);
  };
  visit(parsed.program);
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('no biased randomness in edge/codes', () => {
  it('the detector finds planted Math.random and % on random bytes, and nothing in clean code', () => {
    const planted = [
      'export function bad(bytes: Uint8Array): number { return bytes[0]! % 36; }',
      'let v = 0; export function bad2(b: number): number { v = b; v %= 10; return v; }',
      'export const r = (): number => Math.floor(Math.random() * 32);',
      'export const r2 = Math["random"];',
    ].join('\n');
    expect(findBiasHazards('planted.ts', planted)).toEqual([
      { rule: 'modulo', line: 1 },
      { rule: 'modulo', line: 2 },
      { rule: 'math-random', line: 3 },
      { rule: 'math-random', line: 4 },
    ]);
    const clean = 'export const f = (b: number): number => (b >>> 3) & 31; // a % b in a comment\nexport const s = "100%";\nexport const m = Math.max(1, 2);';
    expect(findBiasHazards('clean.ts', clean)).toEqual([]);
  });

  it('scans every source file of edge/codes and finds no Math.random, and % only in the checksum files', () => {
    const files = sourceFiles(CODES_DIR);
    const names = files.map((f) => relative(CODES_DIR, f));
    for (const required of ['draw-symbols.ts', 'write-records.ts', 'generate.ts', 'random-source.ts', 'sscc.ts', 'sgtin.ts']) {
      expect(names).toContain(required);
    }
    const offences: string[] = [];
    for (const file of files) {
      const name = relative(CODES_DIR, file).split('\\').join('/');
      const ownedGenerator = !name.startsWith('gs1/') && name !== 'content.ts';
      for (const finding of findBiasHazards(file, readFileSync(file, 'utf8'))) {
        if (finding.rule === 'math-random') offences.push(`${name}:${finding.line} Math.random`);
        else if (ownedGenerator && !CHECKSUM_FILES.has(name)) offences.push(`${name}:${finding.line} %`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('the checksum files, where % is allowed, never import the random port', () => {
    for (const name of CHECKSUM_FILES) {
      const source = readFileSync(join(CODES_DIR, name), 'utf8');
      for (const module of RANDOM_MODULES) expect(source).not.toContain(`'${module}'`);
      expect(source).not.toMatch(/RandomSource|getRandomValues/);
    }
  });
});
