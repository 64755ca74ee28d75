import { existsSync, writeFileSync } from 'node:fs';
import { choiceOption, optionalString, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { ReportError } from '../../report/index.ts';
import { renderDealerReportCsv, renderDealerReportPdf, Warehouse } from '../../warehouse/index.ts';

const FORMATS = ['json', 'csv', 'pdf'] as const;

export const command: CommandSpec = {
  path: ['dealer', 'report'],
  summary: '经销商发货报表：期间内各发货单、各产品的发货与退货箱数，CSV 或 PDF (dealer shipments over a date range)',
  positionals: 'DEALER',
  options: {
    from: { type: 'string', value: 'YYYY-MM-DD', description: '起始日期（含）(from date, inclusive, China time)' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: '截止日期（含）(to date, inclusive)' },
    format: { type: 'string', value: 'FORMAT', description: 'json | csv | pdf（默认 csv 输出到终端）(default: csv to stdout)' },
    pdf: { type: 'boolean', description: '同 --format pdf (same as --format pdf)' },
    out: { type: 'string', value: 'FILE', description: '写入文件，已存在则拒绝；pdf 必须指定 (write to FILE; required for pdf)' },
  },
  async run(ctx, args) {
    const id = args.positionals[0];
    if (id === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个经销商编号 DEALER (exactly one DEALER id)');
    const from = requireString(args, 'from');
    const to = requireString(args, 'to');
    const format = args.values['pdf'] === true ? 'pdf' : args.values['format'] === undefined ? (ctx.json ? 'json' : 'csv') : choiceOption(args, 'format', FORMATS);
    const out = optionalString(args, 'out');
    if (format === 'pdf' && out === undefined) throw new UsageError('PDF 需要 --out FILE (pdf needs --out FILE)');
    if (out !== undefined && existsSync(out)) throw new UsageError(`文件已存在，不会覆盖: ${out} (file exists; never overwritten)`);
    const report = await withStore(ctx, (store) => failOnStoreError(() => new Warehouse(store.db).dealerReport(id, { from, to })), { recover: false });
    let body: string | Buffer;
    if (format === 'json') body = `${JSON.stringify(report, null, 2)}\n`;
    else if (format === 'csv') body = renderDealerReportCsv(report);
    else {
      const fontPath = ctx.env['WUMA_REPORT_FONT'];
      try { body = await renderDealerReportPdf(report, fontPath === undefined ? {} : { fontPath }); } catch (error) {
        if (error instanceof ReportError) throw new CommandFailure(error.message, { code: error.code });
        throw error;
      }
    }
    if (out !== undefined) {
      writeFileSync(out, body, { flag: 'wx' });
      if (ctx.json) ctx.printJson({ ok: true, format, out, shipped: report.totals.shipped, returned: report.totals.returned });
      else ctx.print(`已写入 ${format} 报告: ${out} (report written)`);
      return 0;
    }
    if (format === 'json' && ctx.json) { ctx.printJson({ ok: true, report }); return 0; }
    ctx.stdout.write(body);
    return 0;
  },
};
