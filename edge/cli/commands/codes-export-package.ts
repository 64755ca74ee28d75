import { existsSync } from 'node:fs';
import { requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { SEAL_KEY_OPTIONS, sealKeyFromArgs } from '../package-key-options.ts';
import { withStore } from '../with-store.ts';
import { PackageError, exportPackage } from '../../packages/index.ts';

export const command: CommandSpec = {
  path: ['codes', 'export-package'],
  summary: '导出加密码包给供应商 (export a sealed code package for a supplier)',
  options: {
    package: { type: 'string', value: 'UUID', description: '码包编号 (package uuid)' },
    out: { type: 'string', value: 'FILE', description: '输出文件，已存在则拒绝 (output file; refused if it exists)' },
    ...SEAL_KEY_OPTIONS,
  },
  details: [
    '加密格式 (format): AES-256-GCM 分块认证，清单（码包编号、码类型、数量、产品、SHA-256）受认证保护；',
    '密钥来自口令 (scrypt) 或供应商 X25519 公钥。明文码不落盘 (plaintext codes never touch disk).',
    '例 (example): wuma codes export-package --package 0b6e…-… --out caps.wpkg --passphrase-file pass.txt',
  ].join('\n'),
  async run(ctx, args) {
    const uuid = requireString(args, 'package');
    const out = requireString(args, 'out');
    if (existsSync(out)) throw new UsageError(`--out ${out} 已存在，不会覆盖 (output file exists; not overwritten)`);
    const key = sealKeyFromArgs(args, ctx.env);
    if (!existsSync(ctx.dbPath)) throw new CommandFailure(`数据库文件不存在: ${ctx.dbPath} (database file not found)`);
    return withStore(ctx, async (store) => {
      try {
        const result = await exportPackage(store.db, uuid, out, key);
        if (result.recordedSha256 !== null && result.recordedSha256 !== result.sha256) {
          throw new CommandFailure(`导出内容的 SHA-256 与生成时记录的不符，请运行 wuma verify (exported SHA-256 differs from the one recorded at generation)`, result);
        }
        const summary = { ok: true, out, packageId: result.manifest.packageId, kind: result.manifest.kind, count: result.manifest.count, productId: result.manifest.productId, sha256: result.sha256, bytes: result.bytes, key: key.type };
        if (ctx.json) ctx.printJson(summary);
        else {
          ctx.print(`已导出加密码包 (sealed package written): ${out}`);
          ctx.print(`  码包 (package) ${summary.packageId}  ${summary.kind}  ${summary.count} 个码 (codes)  ${summary.bytes} 字节 (bytes)`);
          ctx.print(`  SHA-256 ${summary.sha256}`);
        }
        return 0;
      } catch (error) {
        if (error instanceof PackageError) throw new CommandFailure(error.message, { code: error.code });
        throw error;
      }
    });
  },
};
