import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWuma } from '../../../test/support/run-cli.ts';
import { makeTempDir, type TempDir } from '../../../test/support/temp-dir.ts';

let dir: TempDir;
beforeEach(() => { dir = makeTempDir(); });
afterEach(() => { dir.remove(); });

describe('wuma product add | list', () => {
  it('adds a product and lists it, in text and JSON', async () => {
    const db = dir.file('w.db');
    const add = await runWuma(['product', 'add', '--db', db, '--id', 'beer-500', '--name', '雪花啤酒 500ml', '--units-per-case', '12', '--cases-per-pallet', '70', '--gtin', '6901234567892']);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('beer-500');
    const list = await runWuma(['product', 'list', '--db', db, '--json']);
    expect(list.code).toBe(0);
    const products = list.json<{ products: Array<{ id: string; gtin: string; unitsPerCase: number }> }>().products;
    expect(products).toEqual([expect.objectContaining({ id: 'beer-500', gtin: '06901234567892', unitsPerCase: 12 })]);
  });

  it('refuses a duplicate id with exit 1 and keeps the first product', async () => {
    const db = dir.file('w.db');
    const args = ['product', 'add', '--db', db, '--id', 'p1', '--name', 'A', '--units-per-case', '6', '--cases-per-pallet', '10'];
    expect((await runWuma(args)).code).toBe(0);
    const again = await runWuma([...args.slice(0, 7), 'B', ...args.slice(8)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('已存在');
    const list = await runWuma(['product', 'list', '--db', db, '--json']);
    expect(list.json<{ products: Array<{ name: string }> }>().products.map((p) => p.name)).toEqual(['A']);
  });

  it('names the bad field and exits 2 on bad input', async () => {
    const db = dir.file('w.db');
    const bad = await runWuma(['product', 'add', '--db', db, '--id', 'p1', '--name', 'A', '--units-per-case', '24', '--cases-per-pallet', '10', '--units-per-box', '6', '--boxes-per-case', '3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unitsPerCase');
    const missing = await runWuma(['product', 'add', '--db', db, '--id', 'p1', '--units-per-case', '6', '--cases-per-pallet', '10']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--name');
    const notInt = await runWuma(['product', 'add', '--db', db, '--id', 'p1', '--name', 'A', '--units-per-case', 'twelve', '--cases-per-pallet', '10']);
    expect(notInt.code).toBe(2);
    expect(notInt.stderr).toContain('--units-per-case');
  });

  it('validates code profiles from a file, naming kind and field', async () => {
    const db = dir.file('w.db');
    const file = dir.file('profiles.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify({ 'cap-inner': { scheme: 'random', kind: 'cap-inner', alphabet: 'crockford32', length: 10, prefix: '', check: true, content: { type: 'plain' } } }));
    const r = await runWuma(['product', 'add', '--db', db, '--id', 'p1', '--name', 'A', '--units-per-case', '6', '--cases-per-pallet', '10', '--profiles', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('profiles.cap-inner');
  });
});
