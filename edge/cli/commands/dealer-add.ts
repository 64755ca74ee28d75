import { optionalString, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { Warehouse } from '../../warehouse/index.ts';

export const command: CommandSpec = {
  path: ['dealer', 'add'],
  summary: '新增经销商及其区域 (add a dealer with its sales region)',
  options: {
    id: { type: 'string', value: 'ID', description: '经销商编号 (dealer id)' },
    name: { type: 'string', value: 'NAME', description: '名称 (name)' },
    region: { type: 'string', value: 'REGION', description: '销售区域，稽查时比对，如 华东 (sales region, compared when tracing)' },
    gln: { type: 'string', value: 'GLN', description: '可选，13 位 GS1 GLN (optional 13-digit GS1 GLN)' },
  },
  details: '例 (example): wuma dealer add --id D-SH-01 --name "上海华东经销商" --region 华东 --gln 6901234000019',
  async run(ctx, args) {
    const input = { id: requireString(args, 'id'), name: requireString(args, 'name'), region: requireString(args, 'region'), gln: optionalString(args, 'gln') ?? null };
    const dealer = await withStore(ctx, (store) => failOnStoreError(() => new Warehouse(store.db).addDealer(input, ctx.env['USER'] ?? 'cli')));
    if (ctx.json) ctx.printJson({ ok: true, dealer });
    else ctx.print(`已新增经销商 ${dealer.id} ${dealer.name}，区域 ${dealer.region}${dealer.gln === null ? '' : `，GLN ${dealer.gln}`} (dealer added)`);
    return 0;
  },
};
