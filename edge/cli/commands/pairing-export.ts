import { existsSync } from 'node:fs';
import { requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { SEAL_KEY_OPTIONS, sealKeyFromArgs } from '../package-key-options.ts';
import { ed25519KeyFromArgs } from '../signing-key-options.ts';
import { withStore } from '../with-store.ts';
import { PackageError } from '../../packages/index.ts';
import { exportPairingPackage } from '../../pairing/pairing-package.ts';

export const command: CommandSpec = {
  path: ['pairing', 'export'],
  summary: '导出已签名的加密配对包给品牌方 (export a signed, sealed pairing package for the brand)',
  options: {
    run: { type: 'string', value: 'UUID', description: '配对任务编号（已结束）(pairing run uuid; must be closed)' },
    out: { type: 'string', value: 'FILE', description: '输出文件，已存在则拒绝 (output file; refused if it exists)' },
    'signing-key': { type: 'string', value: 'FILE.pem', description: '本站 Ed25519 私钥 PEM (this station\'s Ed25519 private key)' },
    ...SEAL_KEY_OPTIONS,
  },
  details: [
    '内容 (content): 配对清单（配对数、废品数及原因）、每对内外码、每个废品及原因，最后一行为本站签名。',
    '例 (example): wuma pairing export --run 5f0c…-… --out run.wpair --signing-key station.pem --recipient-key brand.pub.pem',
  ].join('\n'),
  async run(ctx, args) {
    const run = requireString(args, 'run');
    const out = requireString(args, 'out');
    if (existsSync(out)) throw new UsageError(`--out ${out} 已存在，不会覆盖 (output file exists; not overwritten)`);
    const signingKey = ed25519KeyFromArgs(args, 'signing-key');
    const key = sealKeyFromArgs(args, ctx.env);
    if (!existsSync(ctx.dbPath)) throw new CommandFailure(`数据库文件不存在: ${ctx.dbPath} (database file not found)`);
    return withStore(ctx, async (store) => {
      try {
        const r = await exportPairingPackage(store.db, run, out, key, signingKey, ctx.env['USER'] ?? 'cli');
        if (ctx.json) ctx.printJson({ ok: true, out, ...r });
        else {
          ctx.print(`已导出配对包 (pairing package written): ${out}`);
          ctx.print(`  任务 (run) ${r.manifest.run}  配对 (pairs) ${r.manifest.pairs}  废品 (waste) ${r.manifest.waste}  ${r.bytes} 字节 (bytes)`);
          ctx.print(`  签名公钥指纹 (signer fingerprint) ${r.signer}`);
        }
        return 0;
      } catch (error) {
        if (error instanceof PackageError) {
          if (error.code === 'BAD_INPUT' || error.code === 'NOT_FOUND') throw new UsageError(error.message);
          throw new CommandFailure(error.message, { code: error.code });
        }
        throw error;
      }
    });
  },
};
