import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { inputFileArgument } from '../input-file-argument.ts';
import { OPEN_KEY_OPTIONS, openKeyFromArgs } from '../package-key-options.ts';
import { runPackageImport } from '../run-package-import.ts';
import { ed25519KeyFromArgs } from '../signing-key-options.ts';
import { importPairingPackage } from '../../pairing/pairing-package.ts';

export const command: CommandSpec = {
  path: ['codes', 'import-pairing'],
  summary: '导入供应商相机配对包并全部校验 (import a supplier\'s camera-verified pairing package, fully verified)',
  positionals: 'FILE',
  options: {
    'supplier-key': { type: 'string', value: 'FILE.pem', description: '受信任的供应商 Ed25519 公钥 PEM (trusted supplier Ed25519 public key)' },
    ...OPEN_KEY_OPTIONS,
  },
  details: [
    '校验 (checks): 加密与完整性、供应商签名、清单数量、每对码在库中且属于清单的码包、未与其他码关联、文件内不重复。',
    '通过后配对标记为相机验证，废品中未使用的码作废 (pairs marked camera-verified; unused waste codes voided).',
    '任一不通过则什么都不写入 (any failure: nothing stored). 重复导入同一文件不改变任何数据 (re-import changes nothing).',
  ].join('\n'),
  async run(ctx, args) {
    const path = inputFileArgument(args);
    const trustedSigner = ed25519KeyFromArgs(args, 'supplier-key');
    const key = openKeyFromArgs(args, ctx.env);
    if (key === null) throw new UsageError('需要解密密钥：--private-key FILE.pem 或 --passphrase-file FILE (a decryption key is required)');
    return runPackageImport(
      ctx,
      { progress: '导入配对包 (importing pairing package)', refused: '配对包校验未通过，未写入任何数据 (pairing package refused, nothing stored)' },
      (db) => importPairingPackage(db, { path, key, trustedSigner, actor: ctx.env['USER'] ?? 'cli' }),
      (o) => {
        if (ctx.json) ctx.printJson({ ok: true, stored: o.stored, voided: o.voided, alreadyImported: o.alreadyImported, manifest: o.manifest, report: o.report });
        else if (o.alreadyImported) ctx.print(`此配对包已导入过，未改变任何数据 (already imported; nothing changed): ${o.manifest?.run ?? ''}`);
        else ctx.print(`已导入相机配对 (camera-verified pairs imported): ${o.stored} 对新关联，废品作废 ${o.voided} 个码 (new pairs; waste codes voided)`);
      },
    );
  },
};
