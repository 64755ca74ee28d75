import { UTF8_BOM } from '../report/index.ts';
import type { DealerReport, OrderReport } from './contract.ts';
import { ORDER_STATE_LABEL_ZH } from './order-machine.ts';

function cell(value: string | number | boolean | null): string {
  const s = value === null ? '' : typeof value === 'boolean' ? (value ? '是' : '否') : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function row(values: readonly (string | number | boolean | null)[]): string {
  return values.map(cell).join(',');
}

function csv(lines: readonly string[]): string {
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}

/**
 * The order report as CSV (RFC 4180, CRLF, UTF-8 with BOM like the batch report): header block, the lines, the
 * pallets, then one row per shipped case. Case and pallet codes are visible codes; no inner code appears.
 */
export function renderOrderReportCsv(r: OrderReport): string {
  const o = r.order;
  return csv([
    row(['发货单报告 (dispatch order report)', o.id]),
    row(['经销商 (dealer)', `${o.dealer.id} ${o.dealer.name}`]),
    row(['区域 (region)', o.dealer.region]),
    row(['发货仓 (warehouse)', `${r.warehouse.id} ${r.warehouse.name}`]),
    row(['状态 (state)', `${ORDER_STATE_LABEL_ZH[o.state]} ${o.state}`]),
    row(['订 / 发 箱数 (ordered / shipped cases)', `${o.quantity} / ${o.shipped}`]),
    row(['完成时间 (completed)', o.completedAt]),
    row(['短发原因 (short reason)', o.shortReason]),
    row(['短发签名 (short signed by)', o.shortSigner]),
    '',
    row(['行 (line)', '产品 (product)', '名称 (name)', '订箱数 (ordered)', '已发 (shipped)']),
    ...o.lines.map((l) => row([l.lineNo, l.productId, l.productName, l.quantity, l.shipped])),
    '',
    row(['垛码 (pallet)', '箱数 (cases)']),
    ...r.byPallet.map((p) => row([p.pallet ?? '（散箱 loose cases）', p.cases])),
    '',
    row(['箱码 (case)', '产品 (product)', '行 (line)', '垛码 (pallet)', '发货时间 (shipped at)', '扫码人 (by)', '设备 (device)', '已退货 (returned)']),
    ...r.items.map((i) => row([i.code, i.productId, i.lineNo, i.pallet, i.shippedAt, i.shippedBy, i.device, i.returned])),
    '',
    row(['生成时间 (generated)', r.generatedAt]),
  ]);
}

/** The dealer report as CSV: header, one row per order, one per product, totals. Counts only. */
export function renderDealerReportCsv(r: DealerReport): string {
  return csv([
    row(['经销商发货报表 (dealer shipments)', r.dealer.id]),
    row(['名称 (name)', r.dealer.name]),
    row(['区域 (region)', r.dealer.region]),
    row(['GLN', r.dealer.gln]),
    row(['期间 (period)', `${r.from} ~ ${r.to}`]),
    '',
    row(['发货单 (order)', '状态 (state)', '发货箱数 (shipped)', '退货箱数 (returned)', '首次发货 (first)', '末次发货 (last)']),
    ...r.orders.map((o) => row([o.id, `${ORDER_STATE_LABEL_ZH[o.state]} ${o.state}`, o.shipped, o.returned, o.firstShippedAt, o.lastShippedAt])),
    '',
    row(['产品 (product)', '名称 (name)', '发货箱数 (shipped)', '退货箱数 (returned)']),
    ...r.products.map((p) => row([p.productId, p.productName, p.shipped, p.returned])),
    row(['合计 (total)', '', r.totals.shipped, r.totals.returned]),
    '',
    row(['生成时间 (generated)', r.generatedAt]),
  ]);
}
