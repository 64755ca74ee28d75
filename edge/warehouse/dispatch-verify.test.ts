import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/open.ts';
import { verifyStore } from '../store/verify.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { makeStock, setUpWarehouse, TEST_EPCIS, type MadeStock } from './test-stock.ts';
import { Warehouse } from './warehouse.ts';

/** `wuma verify`'s dispatch invariants (issue 13 reliability): each one caught by planting its violation. */
let dir: TempDir;
let store: Store;
let w: Warehouse;
let a: MadeStock;
const who = { user: 'wh1' };

beforeEach(() => {
  dir = makeTempDir('wuma-dispatch-verify-');
  store = openStore(dir.file('station.db'), { checkpointer: false });
  w = new Warehouse(store.db, { epcis: TEST_EPCIS });
  setUpWarehouse(store.db, w);
  a = makeStock(store.db, { pallets: 1, casesPerPallet: 3, loose: 2, line: 'A1', lot: 'LA' });
  w.createOrder({ id: 'O-1', dealerId: 'D-EAST', warehouseId: 'WH-A', lines: [{ productId: a.material.productId, quantity: 5 }] }, 'it1');
  expect(w.scan('O-1', a.pallets[0]?.code ?? '', who).kind).toBe('ok');
  expect(w.scan('O-1', a.loose[0] ?? '', who).kind).toBe('ok');
  w.receiveReturn(a.loose[0] ?? '', { actor: 'wh1', reason: '退货' });
  w.createOrder({ id: 'O-2', dealerId: 'D-SOUTH', warehouseId: 'WH-A', lines: [{ productId: a.material.productId, quantity: 2 }] }, 'it1');
  expect(w.scan('O-2', a.loose[0] ?? '', who).kind).toBe('ok');
});

afterEach(async () => {
  await store.close();
  dir.remove();
});

function failing(): Record<string, { violations: number; examples: readonly string[] }> {
  const report = verifyStore(store.db);
  return Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.id, { violations: c.violations, examples: c.examples }]));
}

describe('wuma verify: dispatch invariants', () => {
  it('passes on a database where cases shipped, came back and shipped again', () => {
    const report = verifyStore(store.db);
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['shipped-aggregated', 'order-shipped-count', 'shipped-once']));
    expect(failing()).toEqual({});
  });

  it('shipped ⇒ aggregated and not voided: a shipped case voided behind the station’s back, a case marked shipped with no shipment', () => {
    const shipped = a.pallets[0]?.cases[0] ?? '';
    store.db.prepare('UPDATE codes SET status = 8 WHERE code = ?').run(shipped);
    store.db.prepare('UPDATE codes SET status = 4 WHERE code = ?').run(a.loose[1]);
    const f = failing();
    // The voided case also breaks the line's own invariants (a voided code inside a pallet, a voided container).
    expect(Object.keys(f)).toContain('shipped-aggregated');
    expect(f['shipped-aggregated']?.violations).toBe(2);
    expect(f['shipped-aggregated']?.examples.join('\n')).toContain(shipped);
  });

  it('order counts = shipped items: a line count edited by hand', () => {
    store.db.prepare(`UPDATE order_lines SET shipped = shipped - 1 WHERE order_id = 'O-1'`).run();
    const f = failing();
    expect(Object.keys(f)).toEqual(['order-shipped-count']);
    expect(f['order-shipped-count']?.examples[0]).toMatch(/发货单 O-1 第 1 行: 记录 3, 明细 4/);
  });

  it('no item shipped twice without a return between: a second live shipment planted past the unique index', () => {
    const c = a.pallets[0]?.cases[1] ?? '';
    store.db.exec('DROP INDEX shipped_items_live');
    store.db.prepare(`UPDATE order_lines SET shipped = shipped + 1 WHERE order_id = 'O-2'`).run();
    store.db.prepare(`INSERT INTO shipped_items (code, order_id, line_no, pallet, shipped_at, shipped_by) VALUES (?, 'O-2', 1, NULL, ?, 'x')`).run(c, new Date().toISOString());
    const f = failing();
    expect(Object.keys(f)).toEqual(['shipped-once']);
    expect(f['shipped-once']?.examples[0]).toContain(`箱 ${c}: 发货单 O-1 之后未退货又随 O-2 发出`);
  });

  it('the database itself refuses a second live shipment of a case and edits of shipped items', () => {
    const c = a.pallets[0]?.cases[1] ?? '';
    expect(() => store.db.prepare(`INSERT INTO shipped_items (code, order_id, line_no, shipped_at, shipped_by) VALUES (?, 'O-2', 1, 'now', 'x')`).run(c)).toThrow(/UNIQUE/);
    expect(() => store.db.prepare(`UPDATE shipped_items SET order_id = 'O-2' WHERE code = ?`).run(c)).toThrow(/only ever gain their return/);
    expect(() => store.db.prepare('DELETE FROM shipped_items').run()).toThrow(/append-only/);
    expect(() => store.db.prepare(`UPDATE order_lines SET shipped = quantity + 1 WHERE order_id = 'O-1'`).run()).toThrow(/CHECK/);
  });
});
