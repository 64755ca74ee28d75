import { existsSync } from 'node:fs';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { PackageError, formatIssues, importPairs } from '../../packages/index.ts';
import { lineProgress } from '../../packages/line-progress.ts';

export const command: CommandSpec = {
  path: ['codes', 'import-pairs'],
  summary: '导入供应商内外码关联文件 (import a supplier inner↔outer pairing file, 同级关联)',
  positionals: 'FILE',
  options: {},
  details: [
    '文件 (FILE): 每行一对 "内码,外码"（逗号或制表符，顺序不限，可有表头）(one pair per line, "," or tab, optional header).',
    '校验 (checks): 两码都在库中、同级内外码（盖内↔盖外，箱内↔箱外）、未与其他码关联、文件内不重复。',
    '重复导入相同关联不报错 (re-importing identical pairs is accepted). 任一不通过则什么都不写入 (any failure: nothing stored).',
  ].join('\n'),
  async run(ctx, args) {
    const path = args.positionals[0];
    if (path === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个文件 FILE (exactly one FILE is required)');
    if (!existsSync(path)) throw new UsageError(`文件不存在: ${path} (file not found)`);
    const store = ctx.openStore();
    const progress = lineProgress(ctx.stderr, '导入关联 (importing pairs)');
    try {
      const { report, stored } = await importPairs(store.db, { path, actor: ctx.env['USER'] ?? 'cli', onProgress: progress.onProgress });
      progress.done();
      if (!report.ok) {
        throw new CommandFailure([`关联文件校验未通过，未写入任何数据 (pairing file refused, nothing stored): ${report.issueCount} 个问题 (issues)`, ...formatIssues(report)].join('\n'), report);
      }
      if (ctx.json) ctx.printJson({ ok: true, stored, report });
      else ctx.print(`已导入关联 (pairs imported): ${stored} 对新关联，${String(report.stats['alreadyPaired'])} 对已存在 (new pairs, already present)`);
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
