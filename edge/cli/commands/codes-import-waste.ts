import { existsSync } from 'node:fs';
import { optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { PackageError, formatIssues, importWaste } from '../../packages/index.ts';
import { lineProgress } from '../../packages/line-progress.ts';

export const command: CommandSpec = {
  path: ['codes', 'import-waste'],
  summary: '导入供应商废码清单并作废这些码 (import a supplier waste list and void its codes, 排废)',
  positionals: 'FILE',
  options: {
    reason: { type: 'string', value: 'TEXT', description: '作废原因，记入审计 (reason, recorded in the audit log)' },
  },
  details: [
    '文件 (FILE): 每行一个码 (one code per line). 码须在库中、未关联、未发货、未销毁；已作废的码不报错。',
    '任一不通过则什么都不写入 (any failure: nothing is stored).',
  ].join('\n'),
  async run(ctx, args) {
    const path = args.positionals[0];
    if (path === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个文件 FILE (exactly one FILE is required)');
    if (!existsSync(path)) throw new UsageError(`文件不存在: ${path} (file not found)`);
    const reason = optionalString(args, 'reason') ?? null;
    const store = ctx.openStore();
    const progress = lineProgress(ctx.stderr, '导入废码 (importing waste)');
    try {
      const { report, voided } = await importWaste(store.db, { path, reason, actor: ctx.env['USER'] ?? 'cli', onProgress: progress.onProgress });
      progress.done();
      if (!report.ok) {
        throw new CommandFailure([`废码清单校验未通过，未写入任何数据 (waste list refused, nothing stored): ${report.issueCount} 个问题 (issues)`, ...formatIssues(report)].join('\n'), report);
      }
      if (ctx.json) ctx.printJson({ ok: true, voided, report });
      else ctx.print(`已作废 (voided): ${voided} 个码，${String(report.stats['alreadyVoided'])} 个此前已作废 (codes; already voided before)`);
      return 0;
    } catch (error) {
      progress.done();
      if (error instanceof PackageError) {
        if (error.code === 'BAD_INPUT') throw new UsageError(error.message);
        throw new CommandFailure(error.message, { code: error.code });
      }
      throw error;
    } finally {
      await store.close();
    }
  },
};
