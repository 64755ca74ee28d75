import type { CommandSpec } from '../command.ts';
import { inputFileArgument } from '../input-file-argument.ts';
import { runPackageImport } from '../run-package-import.ts';
import { importPairs } from '../../packages/index.ts';

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
    const path = inputFileArgument(args);
    return runPackageImport(
      ctx,
      { progress: '导入关联 (importing pairs)', refused: '关联文件校验未通过，未写入任何数据 (pairing file refused, nothing stored)' },
      (db, onProgress) => importPairs(db, { path, actor: ctx.env['USER'] ?? 'cli', onProgress }),
      ({ report, stored }) => {
        if (ctx.json) ctx.printJson({ ok: true, stored, report });
        else ctx.print(`已导入关联 (pairs imported): ${stored} 对新关联，${String(report.stats['alreadyPaired'])} 对已存在 (new pairs, already present)`);
      },
    );
  },
};
