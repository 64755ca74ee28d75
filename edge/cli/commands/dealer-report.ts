import { requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { REPORT_OUTPUT_OPTIONS, reportTarget, writeReport } from '../report-output.ts';
import { withStore } from '../with-store.ts';
import { renderDealerReportCsv, renderDealerReportPdf, Warehouse } from '../../warehouse/index.ts';

export const command: CommandSpec = {
  path: ['dealer', 'report'],
  summary: '经销商发货报表：期间内各发货单、各产品的发货与退货箱数，CSV 或 PDF (dealer shipments over a date range)',
  positionals: 'DEALER',
  options: {
    from: { type: 'string', value: 'YYYY-MM-DD', description: '起始日期（含）(from date, inclusive, China time)' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: '截止日期（含）(to date, inclusive)' },
    ...REPORT_OUTPUT_OPTIONS,
  },
  async run(ctx, args) {
    const id = args.positionals[0];
    if (id === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个经销商编号 DEALER (exactly one DEALER id)');
    const from = requireString(args, 'from');
    const to = requireString(args, 'to');
    const target = reportTarget(ctx, args);
    const report = await withStore(ctx, (store) => failOnStoreError(() => new Warehouse(store.db).dealerReport(id, { from, to })), { recover: false });
    return writeReport(ctx, target, report, { csv: renderDealerReportCsv, pdf: renderDealerReportPdf, summary: (r) => ({ shipped: r.totals.shipped, returned: r.totals.returned }) });
  },
};
