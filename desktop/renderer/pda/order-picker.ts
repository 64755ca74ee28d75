import type { OrderSummary } from '../../../edge/api/warehouse-contract.ts';
import { h, replace } from '../dom.ts';
import { keepFocus, scanInput } from '../scan-input.ts';
import { describe, lostSession, type PdaContext } from './pda-context.ts';

const STATE_ZH: Readonly<Record<string, string>> = { draft: '待拣货 (draft)', picking: '拣货中 (picking)', shipped: '已发货 (shipped)', cancelled: '已作废 (cancelled)' };

/**
 * Pick the order: scan the barcode printed on the dispatch sheet (it carries the order id) or tap one of the open
 * orders. Only orders that can still be scanned (draft, picking) are listed.
 */
export function orderPicker(ctx: PdaContext): { readonly root: HTMLElement; dispose(): void } {
  const list = h('ul', { class: 'pda-orders', 'data-testid': 'orders' }, h('li', { class: 'loading' }, '读取发货单… (loading orders…)'));
  const scan = scanInput({
    label: '扫发货单条码 (scan the dispatch sheet)', placeholder: '发货单号 (order)', testId: 'order-input',
    onScan: (value) => { ctx.openOrder(value); },
  });
  const root = h('section', { 'data-screen': 'pda-orders' },
    h('h1', { class: 'pda-title' }, '选择发货单 (choose an order)'), scan.root, list);
  const stopFocus = keepFocus(scan.input);
  setTimeout(() => { scan.focus(); }, 0);

  const load = async (): Promise<void> => {
    try {
      const [draft, picking] = await Promise.all([
        ctx.client.call('listOrders', { query: { state: 'draft' } }), ctx.client.call('listOrders', { query: { state: 'picking' } }),
      ]);
      const orders: OrderSummary[] = [...picking.orders, ...draft.orders];
      replace(list, ...(orders.length === 0
        ? [h('li', { class: 'empty', 'data-testid': 'orders-empty' }, '没有待发的发货单 (no open orders)')]
        : orders.map((o) => h('li', {}, h('button', { class: 'btn pda-order-btn', 'data-testid': `order-${o.id}`, onclick: () => { ctx.openOrder(o.id); } },
          h('span', {}, `${o.id} · ${o.shipped}/${o.quantity} 箱`),
          h('span', { class: 'sub' }, `${o.dealerName} · ${o.region} · ${STATE_ZH[o.state] ?? o.state}`))))));
    } catch (err) {
      if (lostSession(err)) { ctx.sessionLost(err); return; }
      replace(list, h('li', { class: 'panel panel-error' }, describe(err)));
    }
  };
  void load();
  return { root, dispose: stopFocus };
}
