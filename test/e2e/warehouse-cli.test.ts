/**
 * The warehouse through the real CLI (issue 13): warehouse/dealer set-up, order import from CSV and JSON (every
 * issue names file, line and field; nothing stored unless the file is clean), order list/show, trace with
 * --found-in (窜货 recorded), order and dealer reports in CSV and PDF, and wuma verify with the dispatch checks.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../edge/store/open.ts';
import { makeStock, setUpWarehouse, TEST_EPCIS, type MadeStock } from '../../edge/warehouse/test-stock.ts';
import { Warehouse } from '../../edge/warehouse/index.ts';
import { runWuma, type CliResult } from '../support/run-cli.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

let dir: TempDir;
let db: string;
let stock: MadeStock;
const outputs: CliResult[] = [];

async function wuma(...argv: string[]): Promise<CliResult> {
  const r = await runWuma([...argv, '--db', db], { USER: 'it1' });
  outputs.push(r);
  return r;
}

function counts(): unknown {
  const s = openStore(db, { checkpointer: false });
  try {
    return s.db.prepare(`SELECT (SELECT count(*) FROM dispatch_orders), (SELECT count(*) FROM order_lines), (SELECT count(*) FROM audit_log)`).raw().get();
  } finally { void s.close(); }
}

beforeEach(async () => {
  dir = makeTempDir('wuma-warehouse-cli-');
  db = dir.file('wuma.db');
  const s = openStore(db, { checkpointer: false });
  stock = makeStock(s.db, { pallets: 2, casesPerPallet: 3, loose: 1, line: 'A1', lot: 'LA' });
  await s.close();
  outputs.length = 0;
});

afterEach(() => {
  const all = outputs.map((o) => o.stdout + o.stderr).join('\n');
  for (const c of [...stock.material.caps, ...stock.material.cases]) expect(all).not.toContain(c.inner);
  dir.remove();
});

describe('wuma warehouse / dealer / order / trace', () => {
  it('sets up, imports a clean CSV, lists and shows orders; refuses a bad CSV and a bad JSON naming file, line and field, storing nothing', async () => {
    expect((await wuma('warehouse', 'add', '--id', 'WH-A', '--name', '成品一库', '--default', '--line', 'A1')).code).toBe(0);
    expect((await wuma('dealer', 'add', '--id', 'D-EAST', '--name', '上海华东经销商', '--region', '华东', '--gln', '0614141000418')).stdout).toContain('已新增经销商 D-EAST');
    const badGln = await wuma('dealer', 'add', '--id', 'D-X', '--name', 'x', '--region', '华北', '--gln', '0614141000419');
    expect(badGln.code).toBe(1);
    expect(badGln.stderr).toMatch(/gln: 校验位错误/);
    expect((await wuma('dealer', 'add', '--id', 'D-SOUTH', '--name', '广州华南经销商', '--region', '华南')).code).toBe(0);
    const p = stock.material.productId;

    const bad = dir.file('bad.csv');
    writeFileSync(bad, `\uFEFForder,dealer,warehouse,product,quantity\nO-1,D-EAST,WH-A,${p},5\nO-1,D-SOUTH,WH-A,nope,2\nO-2,D-NONE,WH-A,${p},zero\nO-3,D-EAST,WH-Z,${p},3\n`);
    const before = counts();
    const refused = await wuma('order', 'import', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('未存储任何内容');
    expect(refused.stderr).toMatch(/bad\.csv:3: dealer — 与第 2 行同一发货单的经销商 D-EAST 不一致/);
    expect(refused.stderr).toMatch(/bad\.csv:3: lines\[1\]\.productId — 产品 "nope" 不存在/);
    expect(refused.stderr).toMatch(/bad\.csv:4: quantity — 箱数应为正整数，收到 "zero"/);
    expect(refused.stderr).toMatch(/bad\.csv:4: dealerId — 经销商 "D-NONE" 不存在/);
    expect(refused.stderr).toMatch(/bad\.csv:5: warehouseId — 仓库 "WH-Z" 不存在/);
    expect(counts()).toEqual(before);

    const badJson = dir.file('bad.json');
    writeFileSync(badJson, `{\n  "orders": [\n    { "id": "O-9", "dealerId": "D-EAST", "warehouseId": "WH-A",\n      "lines": [\n        { "productId": "${p}", "quantity": 2 },\n        { "productId": "${p}", "quantity": -1 }\n      ] },\n    { "id": "O-9", "dealerId": "D-EAST", "warehouseId": "WH-A", "lines": [] }\n  ]\n}\n`);
    const refusedJson = await wuma('order', 'import', badJson, '--json');
    expect(refusedJson.code).toBe(1);
    const issues = (refusedJson.json() as { details: { issues: { file: string; line: number; field: string }[] } }).details.issues;
    expect(issues.map((i) => [i.file, i.line, i.field])).toEqual([
      ['bad.json', 6, 'lines[1].productId'], ['bad.json', 6, 'lines[1].quantity'], ['bad.json', 8, 'id'], ['bad.json', 8, 'lines'],
    ]);
    const syntax = dir.file('syntax.json');
    writeFileSync(syntax, '{ "orders": [\n  { "id": "O-1" \n  ]\n}');
    expect((await wuma('order', 'import', syntax)).stderr).toMatch(/syntax\.json:3: JSON 语法错误/);
    expect(counts()).toEqual(before);

    const good = dir.file('erp.csv');
    writeFileSync(good, `发货单号,经销商,仓库,产品,箱数,单据类型\nO-1,D-EAST,WH-A,${p},5,desadv\n"O-2",D-SOUTH,WH-A,${p},2,po\n`);
    const ok = await wuma('order', 'import', good, '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ ok: true, orders: 2, lines: 2, cases: 7, orderIds: ['O-1', 'O-2'] });
    expect((await wuma('order', 'import', good)).stderr).toMatch(/erp\.csv:2: id — 单号 O-1 已存在/);
    const list = await wuma('order', 'list');
    expect(list.stdout).toMatch(/O-1\s+草稿 draft\s+0\/5 箱\s+D-EAST 上海华东经销商（华东）/);
    expect((await wuma('order', 'list', '--state', 'shipped')).stdout).toContain('没有发货单');
    expect((await wuma('order', 'list', '--state', 'gone')).code).toBe(2);
    const show = await wuma('order', 'show', 'O-2', '--json');
    expect(show.json()).toMatchObject({ ok: true, order: { id: 'O-2', documentType: 'po', dealer: { id: 'D-SOUTH' }, lines: [{ productId: p, quantity: 2, shipped: 0 }] } });
    expect((await wuma('order', 'show', 'O-404')).code).toBe(1);
  });

  it('traces a shipped case, flags 窜货 with --found-in, writes order and dealer reports (CSV, PDF), and verify passes', async () => {
    const s = openStore(db, { checkpointer: false });
    const w = new Warehouse(s.db, { epcis: TEST_EPCIS });
    setUpWarehouse(s.db, w);
    w.createOrder({ id: 'O-7', dealerId: 'D-EAST', warehouseId: 'WH-A', lines: [{ productId: stock.material.productId, quantity: 4 }] }, 'it1');
    const [p0] = stock.pallets;
    w.scan('O-7', p0?.code ?? '', { user: 'wh1', device: 'PDA-1' });
    w.scan('O-7', stock.loose[0] ?? '', { user: 'wh1', device: 'PDA-1' });
    w.complete('O-7', { actor: 'wh1' });
    await s.close();
    const caseCode = p0?.cases[0] ?? '';

    const plain = await wuma('trace', caseCode);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`垛 \\(pallet\\): ${p0?.code ?? ''}`));
    expect(plain.stdout).toMatch(/发货单 \(order\): O-7 {2}经销商 D-EAST 上海华东经销商 {2}区域 华东/);
    expect(plain.stdout).toMatch(/批号 LA {2}生产日期 2026-03-01 {2}产线 A1/);
    const flagged = await wuma('trace', caseCode, '--found-in', '华南', '--user', 'qa1', '--json');
    expect(flagged.json()).toMatchObject({ ok: true, trace: { finding: { verdict: 'diverted', foundIn: '华南' }, region: '华东' } });
    expect((await wuma('trace', stock.material.caps[0]?.inner ?? '')).stderr).toMatch(/只能由质检\/稽查 \(qa\) 追溯/);
    const inner = await wuma('trace', stock.material.caps[0]?.inner ?? '', '--role', 'qa');
    expect(inner.code).toBe(0);
    expect(inner.stdout).toMatch(/^码 .{4}….{2}（cap-inner/);
    expect((await wuma('trace', 'NO-SUCH-CODE-1')).code).toBe(1);

    const csv = await wuma('order', 'report', 'O-7');
    expect(csv.stdout.startsWith('\uFEFF发货单报告 (dispatch order report),O-7')).toBe(true);
    expect(csv.stdout).toContain(`${p0?.code ?? ''},3`);
    for (const c of p0?.cases ?? []) expect(csv.stdout).toContain(`${c},${stock.material.productId},1,${p0?.code ?? ''},`);
    const pdf = dir.file('o7.pdf');
    expect((await wuma('order', 'report', 'O-7', '--pdf', '--out', pdf)).code).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('发货单报告');
    expect(text).toContain(caseCode);
    expect((await wuma('order', 'report', 'O-7', '--pdf')).code).toBe(2);

    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const dealer = await wuma('dealer', 'report', 'D-EAST', '--from', day, '--to', day);
    expect(dealer.stdout).toContain('合计 (total),,4,0');
    expect(dealer.stdout).toMatch(/O-7,已发货 shipped,4,0,/);
    const none = await wuma('dealer', 'report', 'D-EAST', '--from', '2020-01-01', '--to', '2020-01-31', '--json');
    expect(none.json()).toMatchObject({ ok: true, report: { totals: { shipped: 0 }, orders: [] } });
    expect((await wuma('dealer', 'report', 'D-EAST', '--from', '2026-3-1', '--to', day)).stderr).toMatch(/from: 应为 YYYY-MM-DD/);
    const dpdf = dir.file('d.pdf');
    expect((await wuma('dealer', 'report', 'D-EAST', '--from', day, '--to', day, '--format', 'pdf', '--out', dpdf)).code).toBe(0);
    expect(execFileSync('pdftotext', ['-layout', dpdf, '-'], { encoding: 'utf8' })).toContain('经销商发货报表');

    const verify = await wuma('verify', '--json');
    expect(verify.code, verify.stdout).toBe(0);
  });
});
