import { existsSync, writeFileSync } from 'node:fs';
import { choiceOption, optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { ReportError } from '../../report/index.ts';
import { renderOrderReportCsv, renderOrderReportPdf, Warehouse } from '../../warehouse/index.ts';

const FORMATS = ['json', 'csv', 'pdf'] as const;

export const command: CommandSpec = {
  path: ['order', 'report'],
  summary: '发货单报告：按垛/箱列出发货明细，CSV 或 PDF (dispatch order report: what shipped, by pallet and case)',
  positionals: 'ORDER',
  options: {
    format: { type: 'string', value: 'FORMAT', description: 'json | csv | pdf（默认 csv 输出到终端）(default: csv to stdout)' },
    pdf: { type: 'boolean', description: '同 --format pdf (same as --format pdf)' },
    out: { type: 'string', value: 'FILE', description: '写入文件，已存在则拒绝；pdf 必须指定 (write to FILE, never overwritten; required for pdf)' },
  },
  details: 'CSV 为带 BOM 的 UTF-8；PDF 字体同批次报告 (fonts-wqy-zenhei 或 WUMA_REPORT_FONT)。',
  async run(ctx, args) {
    const id = args.positionals[0];
    if (id === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个发货单号 ORDER (exactly one ORDER id)');
    const format = args.values['pdf'] === true ? 'pdf' : args.values['format'] === undefined ? (ctx.json ? 'json' : 'csv') : choiceOption(args, 'format', FORMATS);
    const out = optionalString(args, 'out');
    if (format === 'pdf' && out === undefined) throw new UsageError('PDF 需要 --out FILE (pdf needs --out FILE)');
    if (out !== undefined && existsSync(out)) throw new UsageError(`文件已存在，不会覆盖: ${out} (file exists; never overwritten)`);
    const report = await withStore(ctx, (store) => failOnStoreError(() => new Warehouse(store.db).orderReport(id)), { recover: false });
    let body: string | Buffer;
    if (format === 'json') body = `${JSON.stringify(report, null, 2)}\n`;
    else if (format === 'csv') body = renderOrderReportCsv(report);
    else {
      const fontPath = ctx.env['WUMA_REPORT_FONT'];
      try { body = await renderOrderReportPdf(report, fontPath === undefined ? {} : { fontPath }); } catch (error) {
        if (error instanceof ReportError) throw new CommandFailure(error.message, { code: error.code });
        throw error;
      }
    }
    if (out !== undefined) {
      writeFileSync(out, body, { flag: 'wx' });
      if (ctx.json) ctx.printJson({ ok: true, format, out, shipped: report.order.shipped, quantity: report.order.quantity });
      else ctx.print(`已写入 ${format} 报告: ${out} (report written)`);
      return 0;
    }
    if (format === 'json' && ctx.json) { ctx.printJson({ ok: true, report }); return 0; }
    ctx.stdout.write(body);
    return 0;
  },
};
