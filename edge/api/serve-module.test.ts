import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@babel/parser';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { serveModule } from './serve-module.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let dir: TempDir | null = null;
afterEach(() => { dir?.remove(); dir = null; });

function tsFiles(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? tsFiles(join(d, e.name))
    : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(d, e.name)] : []);
}

describe('serveModule', () => {
  it('type-strips .ts to JavaScript, keeping .ts import specifiers and line numbers', () => {
    dir = makeTempDir();
    const file = dir.file('a.ts');
    writeFileSync(file, "import type { X } from './x.ts';\nimport { y } from './y.ts';\nexport const n: number = y as number;\nexport function f(a: X): void {}\n");
    const out = serveModule(file);
    expect(out.contentType).toBe('text/javascript; charset=utf-8');
    const js = String(out.body);
    expect(js).toContain("from './y.ts'");
    expect(js).not.toContain('x.ts');
    expect(js).not.toMatch(/: number|as number|: void/);
    expect(js.split('\n')[2]).toMatch(/^export const n\s+= y\s*;/);
  });

  it('serves json, css, html, svg and wav as themselves and refuses other types', () => {
    dir = makeTempDir();
    for (const [name, type] of [['a.json', 'application/json'], ['a.css', 'text/css'], ['a.html', 'text/html'], ['a.svg', 'image/svg+xml'], ['a.wav', 'audio/wav']] as const) {
      writeFileSync(dir.file(name), 'x');
      const out = serveModule(dir.file(name));
      expect(out.contentType.startsWith(type)).toBe(true);
      expect(String(out.body)).toBe('x');
    }
    writeFileSync(dir.file('a.sh'), 'x');
    expect(() => serveModule(dir!.file('a.sh'))).toThrow(RangeError);
    expect(() => serveModule(dir!.file('missing.ts'))).toThrow();
  });

  it('turns every renderer module and the API contract/client into valid JavaScript modules', () => {
    const files = [...tsFiles(join(ROOT, 'desktop/renderer')), join(ROOT, 'edge/api/contract.ts'), join(ROOT, 'edge/api/client.ts')];
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const js = String(serveModule(f).body);
      // Plain JavaScript now: parsing without the TypeScript plugin fails on any type syntax left behind.
      expect(() => parse(js, { sourceType: 'module' }), f).not.toThrow();
    }
  });
});
