import { integerOption, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { startBatch } from '../../store/batches.ts';

export const command: CommandSpec = {
  path: ['batch', 'start'],
  summary: '开始批次：产品、批号、生产日期、产线、码包 (start a batch)',
  options: {
    product: { type: 'string', value: 'ID', description: '产品编号 (product id)' },
    lot: { type: 'string', value: 'LOT', description: '批号，1–20 个 GS1 字符 (lot, 1–20 GS1 characters)' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: '生产日期 (production date)' },
    line: { type: 'string', value: 'NAME', description: '产线名称 (line name)' },
    planned: { type: 'string', value: 'N', description: '可选，计划箱数 (optional planned quantity)' },
    package: { type: 'string', multiple: true, value: 'UUID', description: '码包 UUID，可重复 (code package UUID; repeat for each)' },
  },
  details: '例 (example): wuma batch start --product beer-500 --lot L0301 --date 2026-03-01 --line A1 --package UUID1 --package UUID2 ...\n需要盖外码、箱外码码包；要求同级关联的产品还需要盖内码、箱内码码包。',
  async run(ctx, args) {
    if (args.positionals.length > 0) throw new UsageError(`多余的参数: ${args.positionals.join(' ')} (unexpected arguments)`);
    const packages = (args.values['package'] as string[] | undefined) ?? [];
    if (packages.length === 0) throw new UsageError('缺少选项 --package (at least one --package UUID is required)');
    const input = {
      productId: requireString(args, 'product'),
      lot: requireString(args, 'lot'),
      productionDate: requireString(args, 'date'),
      line: requireString(args, 'line'),
      plannedQty: args.values['planned'] === undefined ? null : integerOption(args, 'planned', { min: 1, max: 100_000_000 }),
      packages,
      actor: ctx.env['USER'] ?? 'cli',
    };
    return withStore(ctx, (store) => {
      const batch = failOnStoreError(() => startBatch(store.db, input));
      if (ctx.json) ctx.printJson({ ok: true, batch });
      else ctx.print(`已开始批次 ${batch.id}：产品 ${batch.productId}，批号 ${batch.lot}，生产日期 ${batch.productionDate}，产线 ${batch.line}，码包 ${batch.packages.length} 个 (batch started)`);
      return 0;
    });
  },
};
