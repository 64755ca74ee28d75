import { renderPdf, type PdfDoc, type PdfOptions } from '../report/index.ts';
import type { DealerReport, OrderReport } from './contract.ts';
import { ORDER_STATE_LABEL_ZH } from './order-machine.ts';

/** Renders one A4 report with an embedded CJK font, like the batch report (edge/report/reconciliation-pdf.ts). */
function render(title: string, options: PdfOptions, body: (doc: PdfDoc, table: (widths: readonly number[], cells: readonly string[], size?: number) => void) => void): Promise<Buffer> {
  return renderPdf(title, options, (doc) => {
    const left = doc.page.margins.left;
    const usable = doc.page.width - left - doc.page.margins.right;
    const table = (widths: readonly number[], cells: readonly string[], size = 8): void => {
      if (doc.y > doc.page.height - doc.page.margins.bottom - 30) doc.addPage();
      const y = doc.y;
      doc.fontSize(size);
      let height = 0;
      let x = left;
      cells.forEach((c, i) => {
        const w = (widths[i] ?? 0) * usable;
        doc.text(c, x, y, { width: w - 4 });
        height = Math.max(height, doc.y - y);
        x += w;
      });
      doc.x = left;
      doc.y = y + height + 3;
      doc.moveTo(left, doc.y - 1.5).lineTo(left + usable, doc.y - 1.5).lineWidth(0.3).stroke();
    };
    doc.fontSize(16).text(title);
    doc.moveDown(0.5).fontSize(10);
    body(doc, table);
  });
}

/** The order report as a printable PDF: the order, its lines, its pallets and every shipped case. */
export function renderOrderReportPdf(r: OrderReport, options: PdfOptions = {}): Promise<Buffer> {
  const o = r.order;
  return render(`发货单报告 (Dispatch order) ${o.id}`, options, (doc, table) => {
    const info: [string, string][] = [
      ['经销商 (dealer)', `${o.dealer.id}  ${o.dealer.name}`], ['区域 (region)', o.dealer.region], ['发货仓 (warehouse)', `${r.warehouse.id}  ${r.warehouse.name}`],
      ['状态 (state)', `${ORDER_STATE_LABEL_ZH[o.state]} ${o.state}`], ['订 / 发 (ordered / shipped)', `${o.quantity} / ${o.shipped} 箱 (cases)`],
      ['完成 (completed)', o.completedAt ?? '—'], ['短发 (short)', o.shortReason === null ? '—' : `${o.shortReason}（签名 signed: ${o.shortSigner ?? '—'}）`],
    ];
    for (const [k, v] of info) doc.text(`${k}：${v}`);
    doc.moveDown(0.5);
    table([0.1, 0.3, 0.3, 0.15, 0.15], ['行 line', '产品 product', '名称 name', '订 ordered', '发 shipped'], 9);
    for (const l of o.lines) table([0.1, 0.3, 0.3, 0.15, 0.15], [String(l.lineNo), l.productId, l.productName, String(l.quantity), String(l.shipped)], 9);
    doc.moveDown(0.5);
    table([0.6, 0.4], ['垛码 pallet', '箱数 cases'], 9);
    for (const p of r.byPallet) table([0.6, 0.4], [p.pallet ?? '（散箱 loose）', String(p.cases)], 9);
    doc.moveDown(0.5);
    const w = [0.25, 0.18, 0.22, 0.2, 0.15];
    table(w, ['箱码 case', '产品 product', '垛码 pallet', '发货时间 shipped', '退货 returned']);
    for (const i of r.items) table(w, [i.code, i.productId, i.pallet ?? '—', i.shippedAt.replace('T', ' ').slice(0, 19), i.returned ? '是 yes' : '—']);
    doc.moveDown(1).fontSize(10).text(`生成时间 (generated)：${r.generatedAt}        仓管签字 (warehouse)：________________`, doc.page.margins.left);
  });
}

/** The dealer report as a printable PDF: orders and products shipped in the period, with totals. */
export function renderDealerReportPdf(r: DealerReport, options: PdfOptions = {}): Promise<Buffer> {
  return render(`经销商发货报表 (Dealer shipments) ${r.dealer.id}`, options, (doc, table) => {
    for (const [k, v] of [['名称 (name)', r.dealer.name], ['区域 (region)', r.dealer.region], ['GLN', r.dealer.gln ?? '—'], ['期间 (period)', `${r.from} ~ ${r.to}`]] as const) doc.text(`${k}：${v}`);
    doc.moveDown(0.5);
    const w = [0.22, 0.14, 0.12, 0.12, 0.2, 0.2];
    table(w, ['发货单 order', '状态 state', '发货 shipped', '退货 returned', '首次 first', '末次 last'], 9);
    for (const o of r.orders) table(w, [o.id, ORDER_STATE_LABEL_ZH[o.state], String(o.shipped), String(o.returned), (o.firstShippedAt ?? '—').slice(0, 19), (o.lastShippedAt ?? '—').slice(0, 19)], 9);
    doc.moveDown(0.5);
    const p = [0.3, 0.3, 0.2, 0.2];
    table(p, ['产品 product', '名称 name', '发货 shipped', '退货 returned'], 9);
    for (const x of r.products) table(p, [x.productId, x.productName, String(x.shipped), String(x.returned)], 9);
    table(p, ['合计 total', '', String(r.totals.shipped), String(r.totals.returned)], 9);
    doc.moveDown(1).fontSize(10).text(`生成时间 (generated)：${r.generatedAt}`, doc.page.margins.left);
  });
}
