/**
 * Issue 13 figure: 0 over-shipped when 10 clients race for the last cases of an order line. Ten child processes,
 * each with its own SQLite connection to the same station file, released at once; each scans distinct cases
 * (and, in the second race, the same pallet) into an order line with 2 cases left. The database decides: exactly
 * 2 scans ship, every other one is refused 超量 (or 已发货), the line count equals the shipped items, verify passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../edge/store/open.ts';
import { verifyStore } from '../../edge/store/verify.ts';
import { makeStock, setUpWarehouse, TEST_EPCIS, type MadeStock } from '../../edge/warehouse/test-stock.ts';
import { Warehouse } from '../../edge/warehouse/index.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const CHILD = join(import.meta.dirname, 'warehouse-race-child.ts');
const CLIENTS = 10;

let dir: TempDir;
let db: string;
let stock: MadeStock;
const children = new Set<ChildProcess>();

type Outcome = { code: string; kind: 'ok' | 'refused'; counted?: number; reason?: string };

beforeEach(async () => {
  dir = makeTempDir('wuma-race-');
  db = dir.file('station.db');
  const s: Store = openStore(db, { checkpointer: false });
  const w = new Warehouse(s.db, { epcis: TEST_EPCIS });
  setUpWarehouse(s.db, w);
  stock = makeStock(s.db, { pallets: 2, casesPerPallet: 2, loose: 2 * CLIENTS + 10, line: 'A1', lot: 'LA' });
  // 12 cases ordered, 10 shipped already: 2 left for the race.
  w.createOrder({ id: 'O-RACE', dealerId: 'D-EAST', warehouseId: 'WH-A', lines: [{ productId: stock.material.productId, quantity: 12 }] }, 'it1');
  for (const c of stock.loose.slice(2 * CLIENTS)) expect(w.scan('O-RACE', c, { user: 'setup' }).kind).toBe('ok');
  await s.close();
});

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  dir.remove();
});

async function race(codesOf: (i: number) => string[]): Promise<Outcome[]> {
  const procs = Array.from({ length: CLIENTS }, (_, i) => {
    const child = spawn(NODE, [CHILD, JSON.stringify({ db, orderId: 'O-RACE', user: `pda${i}`, codes: codesOf(i) })], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let err = '';
    child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const iterator = lines[Symbol.asyncIterator]();
    const exited = new Promise<number | null>((resolve) => { child.once('exit', (code) => { children.delete(child); resolve(code); }); });
    return { child, iterator, exited, err: () => err };
  });
  for (const p of procs) expect((await p.iterator.next()).value, p.err()).toBe('ready');
  for (const p of procs) p.child.stdin?.write('go\n');
  const results: Outcome[] = [];
  for (const p of procs) {
    const line = await p.iterator.next();
    expect(line.done, p.err()).toBe(false);
    results.push(...(JSON.parse(String(line.value)) as Outcome[]));
    p.child.stdin?.end();
    expect(await p.exited, p.err()).toBe(0);
  }
  return results;
}

function final(): { shipped: number; items: number; ok: boolean } {
  const s = openStore(db, { checkpointer: false });
  try {
    const shipped = s.db.prepare(`SELECT shipped FROM order_lines WHERE order_id = 'O-RACE'`).pluck().get() as number;
    const items = s.db.prepare(`SELECT count(*) FROM shipped_items WHERE order_id = 'O-RACE'`).pluck().get() as number;
    return { shipped, items, ok: verifyStore(s.db).ok };
  } finally { void s.close(); }
}

describe('dispatch race: 10 clients, separate processes and connections, the last 2 cases of a line', () => {
  it('distinct cases: exactly 2 ship, 18 are refused 超量, 0 over-shipped', async () => {
    const results = await race((i) => [stock.loose[2 * i] ?? '', stock.loose[2 * i + 1] ?? '']);
    const ok = results.filter((r) => r.kind === 'ok');
    const refused = results.filter((r) => r.kind === 'refused');
    console.info('dispatch race (distinct cases)', JSON.stringify({ clients: CLIENTS, scans: results.length, shipped: ok.length, refused: refused.length }));
    expect(results).toHaveLength(2 * CLIENTS);
    expect(ok).toHaveLength(2);
    expect(refused.every((r) => r.reason === 'over-quantity')).toBe(true);
    expect(final()).toEqual({ shipped: 12, items: 12, ok: true });
  }, 120_000);

  it('everyone scans the same two-case pallet and then its cases: it ships once, whole or case by case, never past the line', async () => {
    const pallet = stock.pallets[0];
    const results = await race(() => [pallet?.code ?? '', ...(pallet?.cases ?? [])]);
    const shippedCases = results.filter((r) => r.kind === 'ok').reduce((n, r) => n + (r.counted ?? 0), 0);
    expect(shippedCases).toBe(2);
    expect(results.filter((r) => r.kind === 'refused').every((r) => r.reason === 'already-shipped' || r.reason === 'over-quantity')).toBe(true);
    expect(final()).toEqual({ shipped: 12, items: 12, ok: true });
  }, 120_000);
});
