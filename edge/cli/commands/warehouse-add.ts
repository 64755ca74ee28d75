import { optionalString, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { Warehouse } from '../../warehouse/index.ts';

export const command: CommandSpec = {
  path: ['warehouse', 'add'],
  summary: '新增仓库（出库地点）(add a warehouse: a stock location dispatch orders ship from)',
  options: {
    id: { type: 'string', value: 'ID', description: '仓库编号 (warehouse id)' },
    name: { type: 'string', value: 'NAME', description: '仓库名称 (name)' },
    location: { type: 'string', value: 'URI', description: '可选，EPCIS 地点，如 urn:epc:id:sgln:6901234.00010.0 (optional EPCIS bizLocation)' },
    owner: { type: 'string', value: 'URI', description: '可选，货权方，如 urn:epc:id:pgln:6901234.00001 (optional owning party)' },
    default: { type: 'boolean', description: '设为默认仓库：未指定产线的产出都在此 (the default warehouse)' },
    line: { type: 'string', multiple: true, value: 'LINE', description: '可多次：此仓接收哪些产线的产出 (repeatable: lines stocked here)' },
  },
  details: '例 (example): wuma warehouse add --id WH-1 --name "成品一库" --default --line A1',
  async run(ctx, args) {
    const id = requireString(args, 'id');
    const name = requireString(args, 'name');
    const lines = (args.values['line'] as string[] | undefined) ?? [];
    const info = await withStore(ctx, (store) => failOnStoreError(() => new Warehouse(store.db).addWarehouse({
      id, name, location: optionalString(args, 'location') ?? null, owner: optionalString(args, 'owner') ?? null, isDefault: args.values['default'] === true, lines,
    }, ctx.env['USER'] ?? 'cli')));
    if (ctx.json) ctx.printJson({ ok: true, warehouse: info });
    else ctx.print(`已新增仓库 ${info.id} ${info.name}${info.isDefault ? '（默认）' : ''}${info.lines.length > 0 ? `，产线 ${info.lines.join(', ')}` : ''} (warehouse added)`);
    return 0;
  },
};
