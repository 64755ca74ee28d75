import { choiceOption, integerOption, optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { inputFileArgument } from '../input-file-argument.ts';
import { OPEN_KEY_OPTIONS, openKeyFromArgs } from '../package-key-options.ts';
import { runPackageImport } from '../run-package-import.ts';
import { CODE_KINDS, type CodeKind } from '../../domain/kinds.ts';
import { importCodePackage } from '../../packages/index.ts';

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
    const path = inputFileArgument(args);
    const kind: CodeKind | null = args.values['kind'] === undefined ? null : choiceOption(args, 'kind', CODE_KINDS);
    const expectCount = args.values['count'] === undefined ? null : integerOption(args, 'count', { min: 0, max: 1_000_000_000 });
    const expectSha256 = optionalString(args, 'sha256') ?? null;
    if (expectSha256 !== null && !/^[0-9a-fA-F]{64}$/.test(expectSha256)) throw new UsageError(`--sha256 应为 64 位十六进制，收到 "${expectSha256}" (--sha256 must be 64 hex digits)`);
    const key = openKeyFromArgs(args, ctx.env);
    return runPackageImport(
      ctx,
      { progress: '导入码包 (importing)', refused: '码包校验未通过，未写入任何数据 (package refused, nothing stored)' },
      (db, onProgress) => importCodePackage(db, {
        path, kind, productId: optionalString(args, 'product') ?? null, supplier: optionalString(args, 'supplier') ?? null,
        key, expectCount, expectSha256, actor: ctx.env['USER'] ?? 'cli', onProgress,
      }),
      (outcome) => {
        const { report } = outcome;
        if (ctx.json) ctx.printJson({ ok: true, packageId: outcome.packageUuid, stored: outcome.stored, report });
        else {
          ctx.print(`已导入码包 (package imported): ${outcome.packageUuid ?? ''}  ${String(report.stats['kind'])}  ${outcome.stored} 个码，状态已印刷 (codes, status printed)`);
          ctx.print(`  SHA-256 ${String(report.stats['sha256'])}  空行 (blank) ${String(report.stats['blankLines'])}  CRLF ${String(report.stats['crlfLines'])}  去空格 (trimmed) ${String(report.stats['trimmedLines'])}`);
        }
      },
    );
  },
};
