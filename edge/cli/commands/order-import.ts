import type { CommandSpec } from '../command.ts';
import { CommandFailure } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { inputFileArgument } from '../input-file-argument.ts';
import { withStore } from '../with-store.ts';
import { importOrderFile } from '../../warehouse/index.ts';

const LISTED = 50;

export const command: CommandSpec = {
  path: ['order', 'import'],
  summary: '从 ERP 文件导入发货单（CSV 或 JSON），整个文件无误才导入 (import dispatch orders; nothing stored unless the whole file is clean)',
  positionals: 'FILE',
  options: {},
  details: [
    'CSV 表头 (header): order,dealer,warehouse,product,quantity[,type]（或 发货单号,经销商,仓库,产品,箱数[,单据类型]），每行一个品项；',
    '同一单号的多行组成一张发货单。JSON: { "orders": [ { "id", "dealerId", "warehouseId", "documentType"?, "lines": [ { "productId", "quantity" } ] } ] }',
    '每个问题给出 文件:行: 字段 — 原因 (every issue names file:line: field — reason)。',
  ].join('\n'),
  async run(ctx, args) {
    const path = inputFileArgument(args);
    const outcome = await withStore(ctx, (store) => failOnStoreError(() => importOrderFile(store.db, path, ctx.env['USER'] ?? 'cli')));
    if (!outcome.ok) {
      const lines = outcome.issues.slice(0, LISTED).map((i) => `  ${i.file}:${i.line}: ${i.field === '' ? '' : `${i.field} — `}${i.message}`);
      if (outcome.issues.length > LISTED) lines.push(`  … 共 ${outcome.issues.length} 个问题，--json 给出完整清单 (${outcome.issues.length} issues; --json for all)`);
      throw new CommandFailure([`发货单文件 ${outcome.file} 未导入，未存储任何内容: ${outcome.issues.length} 个问题 (file not imported, nothing stored)`, ...lines].join('\n'), outcome);
    }
    if (ctx.json) ctx.printJson(outcome);
    else ctx.print(`已导入 ${outcome.orders} 张发货单，${outcome.lines} 行，共 ${outcome.cases} 箱: ${outcome.orderIds.join(', ')} (orders imported)`);
    return 0;
  },
};
