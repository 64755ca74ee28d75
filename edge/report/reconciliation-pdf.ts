import { REJECT_REASON_ZH, type RejectReason } from '../aggregation/reject-reason.ts';
import type { Reconciliation } from '../store/reconciliation.ts';
import { renderPdf, type PdfOptions } from './pdf-document.ts';
import { COLUMN_LABEL, LEVEL_LABEL, REPORT_COLUMNS, UNEXPLAINED_LABEL } from './labels.ts';

/**
 * The reconciliation report as a printable A4 landscape PDF with Chinese text (the standard PDF fonts have no
 * CJK glyphs, so a CJK font is embedded — subset by pdfkit to the glyphs used). Counts only, never a code.
 * Throws FONT_MISSING naming the path and the package to install when the font file is absent.
 */
export function renderReconciliationPdf(r: Reconciliation, options: PdfOptions = {}): Promise<Buffer> {
  return renderPdf(`批次对账报告 #${r.batch.id}`, { ...options, layout: 'landscape' }, (doc) => {
    const b = r.batch;
    doc.fontSize(18).text(`批次对账报告 (Batch reconciliation) #${b.id}`);
    doc.moveDown(0.5).fontSize(10);
    const info: [string, string][] = [
      ['产品 (product)', `${b.productId}  ${b.productName}`], ['批号 (lot)', b.lot], ['生产日期 (production date)', b.productionDate],
      ['产线 (line)', b.line], ['计划数量 (planned)', b.plannedQty === null ? '—' : String(b.plannedQty)], ['状态 (state)', b.state],
      ['开始 / 关闭 (started / closed)', `${b.startedAt} / ${b.closedAt ?? '—'}`], ['箱数 / 垛数 (cases / pallets)', `${r.cases} / ${r.pallets}`],
      ['关闭原因 (close reason)', b.closeReason ?? '—'], ['签名 (signed by)', b.closedBy ?? '—'],
    ];
    for (const [k, v] of info) doc.text(`${k}：${v}`);
    doc.moveDown(0.5).fontSize(12).text(r.ok ? '结论：平衡，所有码均有去向 (balanced: every code accounted for)' : `结论：有 ${r.totals.unexplained} 个码无法解释 (${r.totals.unexplained} unexplained codes)`);
    doc.moveDown(0.5);
    const left = doc.page.margins.left;
    const firstWidth = 130;
    const colWidth = (doc.page.width - left - doc.page.margins.right - firstWidth) / REPORT_COLUMNS.length;
    const drawRow = (cells: readonly string[], size: number): void => {
      const y = doc.y;
      doc.fontSize(size);
      let height = 0;
      cells.forEach((c, i) => {
        const x = i === 0 ? left : left + firstWidth + (i - 1) * colWidth;
        const w = i === 0 ? firstWidth : colWidth;
        doc.text(c, x, y, { width: w - 4, align: i === 0 ? 'left' : 'right' });
        height = Math.max(height, doc.y - y);
      });
      doc.x = left;
      doc.y = y + height + 4;
      doc.moveTo(left, doc.y - 2).lineTo(doc.page.width - doc.page.margins.right, doc.y - 2).lineWidth(0.3).stroke();
    };
    drawRow(['层级 (level)', ...REPORT_COLUMNS.map((c) => `${COLUMN_LABEL[c].zh}\n${COLUMN_LABEL[c].en}`)], 8);
    for (const l of [...r.levels, r.totals]) drawRow([LEVEL_LABEL[l.level] ?? l.level, ...REPORT_COLUMNS.map((c) => String(l[c]))], 9);
    doc.moveDown(0.5).fontSize(10).text('接收 = 已印刷未用 + 已赋码 + 已关联 + 已剔除 + 已返工 + 已抽样 + 已销毁 + 已作废 + 剩余 (received = sum of the terms)', left);
    doc.moveDown(0.5).fontSize(11).text('无法解释明细 (unexplained detail)');
    doc.fontSize(9);
    for (const [k, label] of Object.entries(UNEXPLAINED_LABEL)) doc.text(`${label}：${r.totals.unexplainedDetail[k as keyof typeof UNEXPLAINED_LABEL]}`);
    doc.moveDown(0.5).fontSize(11).text(`剔除 (rejects)：${r.rejects.total}，未确认 (not confirmed)：${r.rejects.notConfirmed}`);
    doc.fontSize(9).text(Object.entries(r.rejects.byReason).filter(([, n]) => n > 0).map(([k, n]) => `${REJECT_REASON_ZH[k as RejectReason]} (${k})：${n}`).join('    ') || '—');
    doc.moveDown(0.5).fontSize(11).text(`相机验证配对 (camera-verified pairs)：${r.cameraVerifiedPairs}`);
    doc.moveDown(1).text(`生成时间 (generated)：${r.generatedAt}        审核签字 (reviewed by)：________________`);
  });
}
