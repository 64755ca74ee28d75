import { batchIdArgument } from '../batch-id-argument.ts';
import type { CommandSpec } from '../command.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { pauseBatch } from '../../store/batches.ts';

export const command: CommandSpec = {
  path: ['batch', 'pause'],
  summary: '暂停批次 (pause a batch)',
  positionals: 'ID',
  options: {},
  async run(ctx, args) {
    const batchId = batchIdArgument(args);
    return withStore(ctx, (store) => {
      const batch = failOnStoreError(() => pauseBatch(store.db, batchId, ctx.env['USER'] ?? 'cli'));
      if (ctx.json) ctx.printJson({ ok: true, batch });
      else ctx.print(`批次 ${batch.id} 已暂停，状态 ${batch.state} (batch ${batch.state})`);
      return 0;
    });
  },
};
