import type { ImportOrdersResult, OrderView } from '../../../edge/api/warehouse-contract.ts';
import { call, operationUrl } from '../api.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../errors.ts';
import { formatNumber, t } from '../i18n.ts';
import type { ScreenContext } from '../screen.ts';

/** The JSON body limit of the API is 1 MiB; the text travels inside it (a larger ERP export: the CLI's order import). */
const MAX_FILE_CHARS = 1_000_000;

/**
 * The IT screen's dispatch-order import (发货单导入, issue 13 §1): choose the ERP's CSV or JSON file, and the API
 * checks the whole file (edge/warehouse importOrderFile) — a file with any problem stores nothing and every
 * problem is listed with its file, line and field; a clean file creates its orders (draft), each listed with a
 * link to the dispatch sheet's order barcode (the PDA scans it to pick the order).
 */
export function orderImportPanel(ctx: ScreenContext): { readonly root: HTMLElement } {
  const file = h('input', { type: 'file', class: 'field', accept: '.csv,.json,.txt,text/csv,application/json', 'data-testid': 'order-file', 'aria-label': t('orders.file') });
  const outcome = h('div', { 'data-testid': 'order-import-outcome' });

  const issuesList = (r: ImportOrdersResult): HTMLElement => h('div', { class: 'panel panel-error', 'data-testid': 'order-import-failed' },
    h('p', {}, t('orders.failed', { file: r.file, n: r.issues.length })),
    h('ol', { class: 'order-issues', 'data-testid': 'order-import-issues' }, ...r.issues.map((i) => h('li', {
      class: 'order-issue', 'data-testid': 'order-issue', 'data-line': i.line, 'data-field': i.field,
    }, i.line > 0 ? t('orders.issueAt', { file: i.file, line: i.line }) : t('orders.issueFile', { file: i.file }),
    i.field === '' ? '' : ` · ${i.field}`, '：', i.message))));

  const createdTable = (r: ImportOrdersResult): HTMLElement => h('div', { 'data-testid': 'order-import-ok' },
    h('p', { class: 'ok' }, t('orders.imported', { file: r.file, orders: r.orders, lines: r.lines, cases: formatNumber(r.cases) })),
    h('table', { class: 'table', 'data-testid': 'order-created' },
      h('thead', {}, h('tr', {}, ...[t('orders.id'), t('orders.dealer'), t('orders.warehouse'), t('orders.cases'), t('orders.state'), t('orders.sheet')].map((s) => h('th', {}, s)))),
      h('tbody', {}, ...r.created.map((o: OrderView) => h('tr', { 'data-testid': `order-row-${o.id}` },
        h('td', { class: 'mono' }, o.id), h('td', {}, `${o.dealer.name} · ${o.dealer.region}`), h('td', {}, o.warehouseId),
        h('td', { class: 'num' }, formatNumber(o.quantity)), h('td', {}, t(`orders.stateName.${o.state}`)),
        h('td', {}, h('a', {
          class: 'btn btn-link', 'data-testid': `order-barcode-${o.id}`, target: '_blank', rel: 'noopener',
          href: operationUrl('orderBarcode', { params: { orderId: o.id } }),
        }, t('orders.printBarcode'))))))));

  const upload = async (): Promise<void> => {
    const f = file.files?.[0];
    if (f === undefined) { ctx.notify('error', t('orders.chooseFile')); return; }
    const text = await f.text();
    if (text.length > MAX_FILE_CHARS) { ctx.notify('error', t('orders.tooLarge', { file: f.name })); return; }
    replace(outcome, h('p', { class: 'loading' }, t('common.loading')));
    try {
      const r = await call('importOrders', { body: { fileName: f.name, text } });
      replace(outcome, r.ok ? createdTable(r) : issuesList(r));
      if (r.ok) { file.value = ''; ctx.notify('ok', t('orders.imported', { file: r.file, orders: r.orders, lines: r.lines, cases: formatNumber(r.cases) })); }
    } catch (err) {
      replace(outcome, h('p', { class: 'panel-error', 'data-testid': 'order-import-error' }, describeError(err)));
    }
  };

  const root = h('section', { class: 'panel', 'data-testid': 'it-orders' },
    h('h2', {}, t('orders.title')),
    h('p', { class: 'sub' }, t('orders.help')),
    h('div', { class: 'import-form' }, file,
      h('button', { class: 'btn btn-primary', 'data-testid': 'order-import', disabled: !ctx.may('dispatch.order'), onclick: () => { void upload(); } }, t('orders.import'))),
    outcome);
  return { root };
}
