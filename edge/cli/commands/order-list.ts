import { choiceOption, integerOption, optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { withStore } from '../with-store.ts';
import { ORDER_STATE_LABEL_ZH, ORDER_STATES, Warehouse } from '../../warehouse/index.ts';

export const command: CommandSpec = {
  path: ['order', 'list'],
  summary: '列出发货单 (list dispatch orders)',
  options: {
    state: { type: 'string', value: 'STATE', description: `按状态 (by state): ${ORDER_STATES.join(' | ')}` },
    dealer: { type: 'string', value: 'ID', description: '按经销商 (by dealer)' },
    warehouse: { type: 'string', value: 'ID', description: '按仓库 (by warehouse)' },
    limit: { type: 'string', value: 'N', description: '最多几条，默认 200 (at most N, default 200)' },
  },
  async run(ctx, args) {
    const state = args.values['state'] === undefined ? undefined : choiceOption(args, 'state', ORDER_STATES);
    const limit = integerOption(args, 'limit', { min: 1, max: 100_000 }, 200);
    const dealerId = optionalString(args, 'dealer');
    const warehouseId = optionalString(args, 'warehouse');
    const orders = await withStore(ctx, (store) => new Warehouse(store.db).listOrders({
      limit, ...(state === undefined ? {} : { state }), ...(dealerId === undefined ? {} : { dealerId }), ...(warehouseId === undefined ? {} : { warehouseId }),
    }), { recover: false });
    if (ctx.json) { ctx.printJson({ ok: true, orders }); return 0; }
    if (orders.length === 0) { ctx.print('没有发货单 (no orders)'); return 0; }
    for (const o of orders) {
      ctx.print(`${o.id.padEnd(16)} ${`${ORDER_STATE_LABEL_ZH[o.state]} ${o.state}`.padEnd(14)} ${`${o.shipped}/${o.quantity} 箱`.padEnd(12)} ${o.dealerId} ${o.dealerName}（${o.region}） 仓 ${o.warehouseId}`);
    }
    return 0;
  },
};
