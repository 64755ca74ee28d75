import { optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { inputFileArgument } from '../input-file-argument.ts';
import { runPackageImport } from '../run-package-import.ts';
import { importWaste } from '../../packages/index.ts';

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
    const path = inputFileArgument(args);
    const reason = optionalString(args, 'reason') ?? null;
    return runPackageImport(
      ctx,
      { progress: '导入废码 (importing waste)', refused: '废码清单校验未通过，未写入任何数据 (waste list refused, nothing stored)' },
      (db, onProgress) => importWaste(db, { path, reason, actor: ctx.env['USER'] ?? 'cli', onProgress }),
      ({ report, voided }) => {
        if (ctx.json) ctx.printJson({ ok: true, voided, report });
        else ctx.print(`已作废 (voided): ${voided} 个码，${String(report.stats['alreadyVoided'])} 个此前已作废 (codes; already voided before)`);
      },
    );
  },
};
