import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { REPORT_OUTPUT_OPTIONS, reportTarget, writeReport } from '../report-output.ts';
import { withStore } from '../with-store.ts';
import { renderOrderReportCsv, renderOrderReportPdf, Warehouse } from '../../warehouse/index.ts';

export const command: CommandSpec = {
  path: ['order', 'report'],
  summary: '发货单报告：按垛/箱列出发货明细，CSV 或 PDF (dispatch order report: what shipped, by pallet and case)',
  positionals: 'ORDER',
  options: { ...REPORT_OUTPUT_OPTIONS },
  details: 'CSV 为带 BOM 的 UTF-8；PDF 字体同批次报告 (fonts-wqy-zenhei 或 WUMA_REPORT_FONT)。',
  async run(ctx, args) {
    const id = args.positionals[0];
    if (id === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个发货单号 ORDER (exactly one ORDER id)');
    const target = reportTarget(ctx, args);
    const report = await withStore(ctx, (store) => failOnStoreError(() => new Warehouse(store.db).orderReport(id)), { recover: false });
    return writeReport(ctx, target, report, { csv: renderOrderReportCsv, pdf: renderOrderReportPdf, summary: (r) => ({ shipped: r.order.shipped, quantity: r.order.quantity }) });
  },
};
