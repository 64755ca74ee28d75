import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { withStore } from '../with-store.ts';
import { ORDER_STATE_LABEL_ZH, Warehouse } from '../../warehouse/index.ts';

export const command: CommandSpec = {
  path: ['order', 'show'],
  summary: '查看发货单：行项目、已发数量、最近扫码 (show a dispatch order: lines, shipped counts, last scans)',
  positionals: 'ORDER',
  options: {},
  async run(ctx, args) {
    const id = args.positionals[0];
    if (id === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个发货单号 ORDER (exactly one ORDER id)');
    const found = await withStore(ctx, (store) => {
      const w = new Warehouse(store.db);
      const order = w.getOrder(id);
      return order === null ? null : { order, recent: w.recentScans(id, 10) };
    }, { recover: false });
    if (found === null) throw new CommandFailure(`发货单 ${id} 不存在 (unknown dispatch order)`, { code: 'NOT_FOUND' });
    if (ctx.json) { ctx.printJson({ ok: true, ...found }); return 0; }
    const o = found.order;
    ctx.print(`发货单 ${o.id}  ${ORDER_STATE_LABEL_ZH[o.state]} ${o.state}  经销商 ${o.dealer.id} ${o.dealer.name}（${o.dealer.region}）  仓库 ${o.warehouseId}  ${o.shipped}/${o.quantity} 箱`);
    for (const l of o.lines) ctx.print(`  ${String(l.lineNo).padStart(3)}  ${l.productId} ${l.productName}  ${l.shipped}/${l.quantity} 箱`);
    if (o.shortReason !== null) ctx.print(`  短发 (short): ${o.shortReason}，签名 ${o.shortSigner ?? ''}`);
    if (o.cancelReason !== null) ctx.print(`  取消 (cancelled): ${o.cancelReason}`);
    for (const s of found.recent) ctx.print(`  ${s.at}  ${s.pallet === null ? `箱 ${s.code}` : `垛 ${s.code}（${s.cases} 箱）`}  ${s.user}${s.device === null ? '' : ` @${s.device}`}`);
    return 0;
  },
};
