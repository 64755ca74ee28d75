import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/open.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { importOrderFile, parseOrderFile } from './order-import.ts';
import { makeStock, setUpWarehouse, TEST_EPCIS } from './test-stock.ts';
import { Warehouse } from './warehouse.ts';

let dir: TempDir;
let store: Store;
let w: Warehouse;
let p: string;

beforeEach(() => {
  dir = makeTempDir('wuma-order-import-');
  store = openStore(dir.file('station.db'), { checkpointer: false });
  w = new Warehouse(store.db, { epcis: TEST_EPCIS });
  setUpWarehouse(store.db, w);
  p = makeStock(store.db, { pallets: 0, casesPerPallet: 2, loose: 1, line: 'A1', lot: 'LA' }).material.productId;
});

afterEach(async () => {
  await store.close();
  dir.remove();
});

function file(name: string, content: string | Buffer): string {
  const path = dir.file(name);
  writeFileSync(path, content);
  return path;
}

const orders = (): number => store.db.prepare('SELECT count(*) FROM dispatch_orders').pluck().get() as number;

describe('order files', () => {
  it('CSV: CRLF, BOM, quoted fields with commas and quotes, blank lines; several lines of one order group into it', () => {
    const path = file('erp.csv', `\uFEFForder,dealer,warehouse,product,quantity\r\n"O-1",D-EAST,WH-A,${p},3\r\n\r\nO-2,"D-SOUTH",WH-A,${p},"4"\r\n`);
    const parsed = parseOrderFile(path);
    expect(parsed.issues).toEqual([]);
    expect(parsed.orders.map((o) => [o.id, o.dealerId, o.lines.length])).toEqual([['O-1', 'D-EAST', 1], ['O-2', 'D-SOUTH', 1]]);
    const outcome = importOrderFile(store.db, path, 'it1');
    expect(outcome).toMatchObject({ ok: true, orders: 2, cases: 7 });
    expect(w.getOrder('O-2')).toMatchObject({ state: 'draft', quantity: 4, dealer: { region: '华南' } });
    const audit = store.db.prepare(`SELECT action, subject FROM audit_log WHERE action LIKE 'order.%' ORDER BY seq`).raw().all();
    expect(audit).toEqual([['order.create', 'O-1'], ['order.create', 'O-2'], ['order.import', 'erp.csv']]);
  });

  it('names file, line and field for header, column count, quoting, encoding and type problems; stores nothing', () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['a.csv', `order,dealer,warehouse,product\nO-1,D-EAST,WH-A,${p}\n`, /^a\.csv:1 quantity 缺少列 quantity/],
      ['b.csv', `order,dealer,warehouse,product,quantity,colour\nO-1,D-EAST,WH-A,${p},1,red\n`, /^b\.csv:1 colour 未知列 "colour"/],
      ['c.csv', `order,dealer,warehouse,product,quantity\nO-1,D-EAST,WH-A,${p}\n`, /^c\.csv:2  应有 5 列，实有 4 列/],
      ['d.csv', `order,dealer,warehouse,product,quantity\nO-1,D-EAST,WH-A,"${p},1\n`, /^d\.csv:2  引号未闭合/],
      ['e.csv', Buffer.concat([Buffer.from('order,dealer,warehouse,product,quantity\nO-1,'), Buffer.from([0xc4, 0xe3]), Buffer.from(`,WH-A,${p},1\n`)]), /^e\.csv:2  不是 UTF-8/],
      ['f.xlsx', 'PK', /^f\.xlsx:0  不支持的文件类型/],
      ['g.csv', '', /^g\.csv:0  文件为空/],
      ['h.json', '{"orders": [{"id": "O-1", "dealerId": "D-EAST", "warehouseId": "WH-A", "lines": [{"productId": 7, "quantity": "2"}], "colour": 1}]}', /^h\.json:1 orders\[0\]\.colour 未知字段/],
      ['i.csv', `order,dealer,warehouse,product,quantity\nO-1,D-EAST,WH-A,${p},0\n`, /^i\.csv:2 lines\[0\]\.quantity 箱数应为 1–/],
      ['j.csv', `order,dealer,warehouse,product,quantity\nO-1,D-EAST,WH-A,${p},1\nO-1,D-EAST,WH-A,${p},2\n`, /^j\.csv:3 lines\[1\]\.productId 产品 .* 在同一发货单中重复/],
      ['k.json', '[]', /^k\.json:0  文件中没有发货单/],
    ];
    for (const [name, content, want] of cases) {
      const outcome = importOrderFile(store.db, file(name, content), 'it1');
      expect(outcome.ok, name).toBe(false);
      const first = outcome.issues[0];
      expect(`${first?.file}:${first?.line} ${first?.field} ${first?.message}`, name).toMatch(want);
    }
    expect(orders()).toBe(0);
  });

  it('createOrder refuses bad input naming every field, and a second order with the same id', () => {
    expect(() => w.createOrder({ id: 'bad id!', dealerId: 'D-NONE', warehouseId: 'WH-Z', lines: [{ productId: 'nope', quantity: 1.5 }] }, 'it1'))
      .toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/^id: .*; dealerId: .*; warehouseId: .*; lines\[0\]\.productId: .*; lines\[0\]\.quantity: /) }));
    w.createOrder({ id: 'O-1', dealerId: 'D-EAST', warehouseId: 'WH-A', lines: [{ productId: p, quantity: 1 }] }, 'it1');
    expect(() => w.createOrder({ id: 'O-1', dealerId: 'D-EAST', warehouseId: 'WH-A', lines: [{ productId: p, quantity: 1 }] }, 'it1')).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(orders()).toBe(1);
  });
});
