import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { pauseBatch } from '../../store/batches.ts';
import { StoreError } from '../../store/errors.ts';

export const command: CommandSpec = {
  path: ['batch', 'pause'],
  summary: '暂停批次 (pause a batch)',
  positionals: 'ID',
  options: {},
  async run(ctx, args) {
    const raw = args.positionals[0];
    if (raw === undefined || args.positionals.length > 1 || !/^[1-9]\d{0,15}$/.test(raw)) throw new UsageError(`需要一个批次编号 ID，收到 "${args.positionals.join(' ')}" (exactly one batch ID is required)`);
    const store = ctx.openStore();
    try {
      let batch;
      try { batch = pauseBatch(store.db, Number(raw), ctx.env['USER'] ?? 'cli'); } catch (error) {
        if (error instanceof StoreError) throw new CommandFailure(error.message, { code: error.code });
        throw error;
      }
      if (ctx.json) ctx.printJson({ ok: true, batch });
      else ctx.print(`批次 ${batch.id} 已暂停，状态 ${batch.state} (batch ${batch.state})`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
