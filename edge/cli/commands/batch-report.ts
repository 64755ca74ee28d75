import { existsSync, writeFileSync } from 'node:fs';
import { choiceOption, optionalString } from '../args.ts';
import { batchIdArgument } from '../batch-id-argument.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { reconcileBatch } from '../../store/reconciliation.ts';
import { COLUMN_LABEL, LEVEL_LABEL, REPORT_COLUMNS, renderReconciliationCsv, renderReconciliationPdf, ReportError } from '../../report/index.ts';

const FORMATS = ['json', 'csv', 'pdf'] as const;

export const command: CommandSpec = {
  path: ['batch', 'report'],
  summary: '批次对账报告：JSON、CSV 或可打印 PDF (batch reconciliation report)',
  positionals: 'ID',
  options: {
    format: { type: 'string', value: 'FORMAT', description: 'json | csv | pdf（默认：终端表格，--json 时为 json）(default: a table on the terminal)' },
    out: { type: 'string', value: 'FILE', description: '写入文件，已存在则拒绝；pdf 必须指定 (write to FILE, never overwritten; required for pdf)' },
  },
  details: 'CSV 为带 BOM 的 UTF-8，Excel 可直接打开中文。PDF 使用中文字体 /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc（fonts-wqy-zenhei），\n可用环境变量 WUMA_REPORT_FONT 指定其他 .ttf/.ttc 字体 (PDF needs a CJK font; set WUMA_REPORT_FONT to use another).',
  async run(ctx, args) {
    const batchId = batchIdArgument(args);
    const format = args.values['format'] === undefined ? null : choiceOption(args, 'format', FORMATS);
    const out = optionalString(args, 'out');
    if (format === 'pdf' && out === undefined) throw new UsageError('PDF 需要 --out FILE (pdf needs --out FILE)');
    if (out !== undefined && format === null) throw new UsageError('--out 需要 --format json|csv|pdf (--out needs --format)');
    if (out !== undefined && existsSync(out)) throw new UsageError(`文件已存在，不会覆盖: ${out} (file exists; never overwritten)`);
    const report = await withStore(ctx, (store) => failOnStoreError(() => reconcileBatch(store.db, batchId)), { recover: false });
    let body: string | Buffer | null = null;
    if (format === 'json') body = `${JSON.stringify(report, null, 2)}\n`;
    else if (format === 'csv') body = renderReconciliationCsv(report);
    else if (format === 'pdf') {
      const fontPath = ctx.env['WUMA_REPORT_FONT'];
      try { body = await renderReconciliationPdf(report, fontPath === undefined ? {} : { fontPath }); } catch (error) {
        if (error instanceof ReportError) throw new CommandFailure(error.message, { code: error.code });
        throw error;
      }
    }
    if (out !== undefined && body !== null) {
      writeFileSync(out, body, { flag: 'wx' });
      if (ctx.json) ctx.printJson({ ok: true, format, out, reconciled: report.ok, unexplained: report.totals.unexplained });
      else ctx.print(`已写入 ${format} 报告: ${out} (report written)`);
      return 0;
    }
    if (body !== null && format !== 'json') { ctx.stdout.write(body); return 0; }
    if (ctx.json || format === 'json') { ctx.printJson({ ok: true, report }); return 0; }
    const b = report.batch;
    ctx.print(`批次 ${b.id}  ${b.productId} ${b.productName}  批号 ${b.lot}  生产日期 ${b.productionDate}  产线 ${b.line}  状态 ${b.state}`);
    ctx.print(['层级 (level)'.padEnd(20), ...REPORT_COLUMNS.map((c) => COLUMN_LABEL[c].zh.padStart(8))].join(''));
    for (const l of [...report.levels, report.totals]) ctx.print([(LEVEL_LABEL[l.level] ?? l.level).padEnd(20), ...REPORT_COLUMNS.map((c) => String(l[c]).padStart(8))].join(''));
    ctx.print(`相机验证配对 (camera-verified pairs): ${report.cameraVerifiedPairs}`);
    ctx.print(report.ok ? '对账平衡，所有码均有去向 (balanced)' : `有 ${report.totals.unexplained} 个无法解释的码 (unexplained codes)`);
    return 0;
  },
};
