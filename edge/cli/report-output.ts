import { existsSync, writeFileSync } from 'node:fs';
import { ReportError } from '../report/index.ts';
import { choiceOption, optionalString } from './args.ts';
import type { CommandContext, ParsedCommand } from './command.ts';
import { CommandFailure, UsageError } from './errors.ts';

const FORMATS = ['json', 'csv', 'pdf'] as const;
export type ReportFormat = (typeof FORMATS)[number];

/** Where a report goes: `--format json|csv|pdf` (or `--pdf`) and `--out FILE`. */
export interface ReportTarget {
  readonly format: ReportFormat;
  readonly out: string | undefined;
}

/** The `--format`, `--pdf` and `--out` options of a report command, as CommandSpec options. */
export const REPORT_OUTPUT_OPTIONS = {
  format: { type: 'string', value: 'FORMAT', description: 'json | csv | pdf（默认 csv 输出到终端）(default: csv to stdout)' },
  pdf: { type: 'boolean', description: '同 --format pdf (same as --format pdf)' },
  out: { type: 'string', value: 'FILE', description: '写入文件，已存在则拒绝；pdf 必须指定 (write to FILE, never overwritten; required for pdf)' },
} as const;

/**
 * Reads and checks the report options before anything is read from the store: PDF needs `--out`, and an existing
 * file is never overwritten. Default format: json with `--json`, else csv.
 */
export function reportTarget(ctx: CommandContext, args: ParsedCommand): ReportTarget {
  const format: ReportFormat = args.values['pdf'] === true ? 'pdf' : args.values['format'] === undefined ? (ctx.json ? 'json' : 'csv') : choiceOption(args, 'format', FORMATS);
  const out = optionalString(args, 'out');
  if (format === 'pdf' && out === undefined) throw new UsageError('PDF 需要 --out FILE (pdf needs --out FILE)');
  if (out !== undefined && existsSync(out)) throw new UsageError(`文件已存在，不会覆盖: ${out} (file exists; never overwritten)`);
  return { format, out };
}

export interface ReportRenderers<R> {
  csv(report: R): string;
  pdf(report: R, options: { fontPath?: string }): Promise<Buffer>;
  /** The figures `--json` prints beside the written file's name. */
  summary(report: R): Record<string, unknown>;
}

/**
 * Renders `report` in the target's format and writes it to `--out` (created, never overwritten) or stdout. The PDF
 * font comes from WUMA_REPORT_FONT when set; a missing font is a CommandFailure naming it. Returns the exit code.
 */
export async function writeReport<R>(ctx: CommandContext, target: ReportTarget, report: R, render: ReportRenderers<R>): Promise<number> {
  const { format, out } = target;
  let body: string | Buffer;
  if (format === 'json') body = `${JSON.stringify(report, null, 2)}\n`;
  else if (format === 'csv') body = render.csv(report);
  else {
    const fontPath = ctx.env['WUMA_REPORT_FONT'];
    try {
      body = await render.pdf(report, fontPath === undefined ? {} : { fontPath });
    } catch (error) {
      if (error instanceof ReportError) throw new CommandFailure(error.message, { code: error.code });
      throw error;
    }
  }
  if (out !== undefined) {
    writeFileSync(out, body, { flag: 'wx' });
    if (ctx.json) ctx.printJson({ ok: true, format, out, ...render.summary(report) });
    else ctx.print(`已写入 ${format} 报告: ${out} (report written)`);
    return 0;
  }
  if (format === 'json' && ctx.json) {
    ctx.printJson({ ok: true, report });
    return 0;
  }
  ctx.stdout.write(body);
  return 0;
}
