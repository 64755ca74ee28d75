import { existsSync } from 'node:fs';
import { choiceOption, integerOption, optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { OPEN_KEY_OPTIONS, openKeyFromArgs } from '../package-key-options.ts';
import { CODE_KINDS, type CodeKind } from '../../domain/kinds.ts';
import { PackageError, formatIssues, importCodePackage } from '../../packages/index.ts';
import { lineProgress } from '../../packages/line-progress.ts';

export const command: CommandSpec = {
  path: ['codes', 'import-package'],
  summary: '导入供应商码包并全部校验 (import a supplier code package, fully verified)',
  positionals: 'FILE',
  options: {
    kind: { type: 'string', value: 'KIND', description: `码类型 (code kind): ${CODE_KINDS.join(' | ')}；加密码包可省略 (optional for sealed packages)` },
    product: { type: 'string', value: 'ID', description: '产品编号，决定码规则 (product id; selects the code profile)' },
    supplier: { type: 'string', value: 'NAME', description: '供应商名称 (supplier name)' },
    count: { type: 'string', value: 'N', description: '明文文件应有的码数 (expected number of codes, plain file)' },
    sha256: { type: 'string', value: 'HEX', description: '明文文件应有的 SHA-256 (expected SHA-256, plain file)' },
    ...OPEN_KEY_OPTIONS,
  },
  details: [
    '文件 (FILE): 加密码包 (wuma sealed package)，或明文一行一码 (plain text, one code per line; CRLF/BOM/空行可接受)。',
    '明文文件旁的 FILE.manifest.json ({"count", "sha256"}) 会自动校验 (checked when present).',
    '校验 (checks): 格式与校验字符、文件内重码、库中已有码、数量与 SHA-256。任一不通过则什么都不写入',
    '(any failure: nothing is stored). 例 (example): wuma codes import-package caps.txt --kind cap-outer --supplier 华彩 --count 100000',
  ].join('\n'),
  async run(ctx, args) {
    const path = args.positionals[0];
    if (path === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个文件 FILE (exactly one FILE is required)');
    if (!existsSync(path)) throw new UsageError(`文件不存在: ${path} (file not found)`);
    const kind: CodeKind | null = args.values['kind'] === undefined ? null : choiceOption(args, 'kind', CODE_KINDS);
    const expectCount = args.values['count'] === undefined ? null : integerOption(args, 'count', { min: 0, max: 1_000_000_000 });
    const expectSha256 = optionalString(args, 'sha256') ?? null;
    if (expectSha256 !== null && !/^[0-9a-fA-F]{64}$/.test(expectSha256)) throw new UsageError(`--sha256 应为 64 位十六进制，收到 "${expectSha256}" (--sha256 must be 64 hex digits)`);
    const key = openKeyFromArgs(args, ctx.env);
    const store = ctx.openStore();
    const progress = lineProgress(ctx.stderr, '导入码包 (importing)');
    try {
      const outcome = await importCodePackage(store.db, {
        path, kind, productId: optionalString(args, 'product') ?? null, supplier: optionalString(args, 'supplier') ?? null,
        key, expectCount, expectSha256, actor: ctx.env['USER'] ?? 'cli', onProgress: progress.onProgress,
      });
      progress.done();
      const { report } = outcome;
      if (!report.ok) {
        throw new CommandFailure([`码包校验未通过，未写入任何数据 (package refused, nothing stored): ${report.issueCount} 个问题 (issues)`, ...formatIssues(report)].join('\n'), report);
      }
      if (ctx.json) ctx.printJson({ ok: true, packageId: outcome.packageUuid, stored: outcome.stored, report });
      else {
        ctx.print(`已导入码包 (package imported): ${outcome.packageUuid ?? ''}  ${String(report.stats['kind'])}  ${outcome.stored} 个码，状态已印刷 (codes, status printed)`);
        ctx.print(`  SHA-256 ${String(report.stats['sha256'])}  空行 (blank) ${String(report.stats['blankLines'])}  CRLF ${String(report.stats['crlfLines'])}  去空格 (trimmed) ${String(report.stats['trimmedLines'])}`);
      }
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
