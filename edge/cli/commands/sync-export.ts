import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { assembleCaptureDocument } from '../../../sync/index.ts';
import { integerOption, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { withStore } from '../with-store.ts';
import { outboxBodiesOfBatch } from '../../store/outbox.ts';
import { parsePrefixes } from './sync.ts';

export const command: CommandSpec = {
  path: ['sync', 'export'],
  summary: '导出一个批次的 EPCIS 文件，供无网络现场人工带回 (export a batch as an EPCISDocument to hand-carry)',
  options: {
    batch: { type: 'string', value: 'ID', description: '批次编号 (batch id)' },
    out: { type: 'string', value: 'FILE.jsonld', description: '输出文件 (output file)' },
    prefix: { type: 'string', multiple: true, value: 'P=URI', description: '事件使用的额外 CURIE 前缀 (extra CURIE prefix, repeatable)' },
  },
  details: [
    '文件中的事件与上传时逐字节相同 (event bodies are byte-identical to what sync sends), 总部可直接 POST /capture；',
    '按 eventID 去重，重复导入无害 (receivers dedupe by eventID). 导出不改变上传状态 (export does not mark anything uploaded).',
  ].join('\n'),
  async run(ctx, args) {
    const batchId = integerOption(args, 'batch', { min: 1, max: Number.MAX_SAFE_INTEGER });
    const out = resolve(requireString(args, 'out'));
    const prefixes = parsePrefixes(args);
    if (!existsSync(dirname(out))) throw new UsageError(`输出目录不存在: ${dirname(out)} (output directory not found)`);
    if (!existsSync(ctx.dbPath)) throw new CommandFailure(`数据库文件不存在: ${ctx.dbPath} (database file not found)`);
    const { bodies, newestAt } = await withStore(ctx, (store) => outboxBodiesOfBatch(store.db, batchId), { readonly: true });
    if (bodies.length === 0 || newestAt === null) throw new CommandFailure(`批次 ${batchId} 没有待上传事件 (batch ${batchId} has no outbox events)`);
    const document = assembleCaptureDocument(prefixes)(bodies, newestAt);
    // Temp file + rename: a crash or full disk never leaves a truncated file under the final name.
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, document, { flag: 'wx' });
      renameSync(tmp, out);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw new CommandFailure(`无法写入 ${out}: ${error instanceof Error ? error.message : String(error)} (cannot write the export file)`);
    }
    const sha256 = createHash('sha256').update(document).digest('hex');
    const bytes = Buffer.byteLength(document);
    if (ctx.json) ctx.printJson({ ok: true, batch: batchId, events: bodies.length, bytes, sha256, file: out });
    else ctx.print(`已导出批次 ${batchId} 的 ${bodies.length} 个事件到 ${out} (${bytes} 字节 bytes, sha256 ${sha256})`);
    return 0;
  },
};
