import { ApiCallError } from '../../../edge/api/client.ts';
import type { DispatchScanResult, OrderView } from '../../../edge/api/warehouse-contract.ts';
import { beep } from '../beep.ts';
import { h, replace } from '../dom.ts';
import { keepFocus, scanInput } from '../scan-input.ts';
import { clock, describe, lostSession, maskScan, type PdaContext } from './pda-context.ts';

/** One scan as this PDA saw it (newest first on screen). */
interface Seen {
  readonly n: number;
  readonly at: string;
  readonly code: string;
  readonly ok: boolean;
  readonly word: string;
  readonly text: string;
}

const SHOWN_SCANS = 12;
const POLL_MS = 2000;
const STATE_ZH: Readonly<Record<string, string>> = { draft: '待拣货', picking: '拣货中', shipped: '已发货', cancelled: '已作废' };

/**
 * Scanning one order: the scan field (always focused: the PDA's scanner types the code and Enter into it), the
 * last result as large as the screen allows — green with the count, or red with the refusal's Chinese word (超量,
 * 已发货 …) and what to do, plus a beep — a big counter per order line, and the last scans green/red. Scans are sent
 * one at a time in the order they were read. Counters are read again every two seconds (other PDAs on the same
 * order). "完成发货" completes; a short order asks for the reason and the PIN (signed).
 */
/** A progress bar; its width set through CSSOM (the page's CSP refuses inline style attributes). */
function bar(have: number, want: number): HTMLElement {
  const fill = h('div', { class: 'bar-fill' });
  fill.style.width = `${Math.min(100, Math.round((100 * have) / Math.max(1, want)))}%`;
  return h('div', { class: 'bar' }, fill);
}

export function orderScreen(ctx: PdaContext, orderId: string): { readonly root: HTMLElement; dispose(): void } {
  let order: OrderView | null = null;
  let seen: Seen[] = [];
  let counter = 0;
  let disposed = false;
  const queue: string[] = [];
  let sending = false;

  const head = h('div', { class: 'pda-order-head', 'data-testid': 'order-head' }, h('span', { class: 'pda-order-id' }, orderId));
  const result = h('div', { class: 'pda-result pda-result-idle', 'data-testid': 'scan-result', 'data-outcome': 'idle' }, '请扫箱码或垛码 (scan a case or pallet)');
  const lines = h('div', { class: 'pda-lines', 'data-testid': 'order-lines' });
  const scans = h('ol', { class: 'pda-scans', 'data-testid': 'scans' });
  const scan = scanInput({ label: '扫箱码 / 垛码 (scan a case or pallet)', placeholder: '箱码或垛码 (case or pallet code)', testId: 'scan-input', onScan: (v) => { queue.push(v); void drain(); } });
  const completeBtn = h('button', { class: 'btn btn-primary', 'data-testid': 'complete', onclick: () => { void complete(); } }, '完成发货');
  const backBtn = h('button', { class: 'btn', 'data-testid': 'back', onclick: () => { ctx.backToOrders(); } }, '换单');
  const dialog = h('dialog', { class: 'pda-dialog', 'data-testid': 'short-dialog' });
  const root = h('section', { 'data-screen': 'pda-order', 'data-order': orderId }, head, scan.root, result, lines, h('div', { class: 'pda-actions' }, completeBtn, backBtn), h('h2', {}, '最近扫码 (last scans)'), scans, dialog);
  const stopFocus = keepFocus(scan.input);
  setTimeout(() => { scan.focus(); }, 0);

  function drawOrder(o: OrderView): void {
    order = o;
    replace(head,
      h('span', { class: 'pda-order-id' }, o.id),
      h('span', { class: `state state-${o.state === 'shipped' ? 'done' : o.state === 'cancelled' ? 'closed' : 'open'}`, 'data-testid': 'order-state', 'data-state': o.state }, STATE_ZH[o.state] ?? o.state),
      h('span', { class: 'pda-dealer' }, `${o.dealer.name} · ${o.dealer.region} · 共 ${o.shipped}/${o.quantity} 箱`));
    replace(lines, ...o.lines.map((l) => {
      const done = l.shipped >= l.quantity;
      return h('div', { class: `pda-line${done ? ' pda-line-done' : ''}`, 'data-testid': `line-${l.lineNo}`, 'data-shipped': l.shipped, 'data-quantity': l.quantity },
        h('div', { class: 'pda-line-name' }, `${l.lineNo}. ${l.productName}`),
        h('div', { class: 'pda-line-count', 'data-testid': `line-${l.lineNo}-count` }, String(l.shipped), h('small', {}, ` / ${l.quantity} 箱`)),
        bar(l.shipped, l.quantity));
    }));
    completeBtn.disabled = o.state === 'shipped' || o.state === 'cancelled';
  }

  function show(s: Seen): void {
    seen = [s, ...seen].slice(0, SHOWN_SCANS);
    result.className = `pda-result pda-result-${s.ok ? 'ok' : 'refused'}`;
    result.dataset['outcome'] = s.ok ? 'ok' : 'refused';
    replace(result,
      h('div', { class: 'pda-result-word', 'data-testid': 'result-word' }, s.ok ? `✓ ${s.word}` : s.word),
      h('div', { class: 'pda-result-text', 'data-testid': 'result-text' }, s.text),
      h('div', { class: 'pda-result-code' }, s.code));
    replace(scans, ...seen.map((x) => h('li', { class: `pda-scan pda-scan-${x.ok ? 'ok' : 'refused'}`, 'data-testid': `scan-${x.n}`, 'data-outcome': x.ok ? 'ok' : 'refused' },
      h('span', { class: 'read-time' }, clock(x.at)), h('span', {}, x.ok ? '✓' : '✗'), h('span', {}, x.word), h('span', { class: 'read-code' }, x.code))));
    if (!s.ok) beep('stop');
  }

  function outcomeOf(code: string, r: DispatchScanResult): Seen {
    counter += 1;
    const at = new Date().toISOString();
    if (r.result.kind === 'ok') {
      const l = r.result.line;
      const from = r.result.unpackedFrom === null ? '' : `，已从垛 ${r.result.unpackedFrom} 拆出 (taken off its pallet)`;
      return { n: counter, at, code, ok: true, word: `+${r.result.counted} 箱`, text: `${l.productName} ${l.shipped}/${l.quantity}${from}` };
    }
    // Not accepted: the value may be an inner code read by mistake, so it is shown masked.
    return { n: counter, at, code: maskScan(code), ok: false, word: r.result.label, text: r.result.message };
  }

  async function drain(): Promise<void> {
    if (sending) return;
    sending = true;
    try {
      for (let code = queue.shift(); code !== undefined && !disposed; code = queue.shift()) {
        try {
          const r = await ctx.client.call('dispatchScan', { params: { orderId }, body: { code } });
          show(outcomeOf(code, r));
          drawOrder(r.order);
        } catch (err) {
          if (lostSession(err)) { ctx.sessionLost(err); return; }
          counter += 1;
          show({ n: counter, at: new Date().toISOString(), code: maskScan(code), ok: false, word: '未处理', text: describe(err) });
        }
      }
    } finally {
      sending = false;
    }
  }

  async function refresh(): Promise<void> {
    try {
      const r = await ctx.client.call('getOrder', { params: { orderId } });
      if (!disposed && !sending) drawOrder(r.order);
    } catch (err) {
      if (disposed) return;
      if (lostSession(err)) { ctx.sessionLost(err); return; }
      if (err instanceof ApiCallError && (err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST')) {
        ctx.notify('error', `没有发货单 ${orderId}，请重扫发货单条码 (no such order; scan the dispatch sheet again)`);
        ctx.backToOrders();
        return;
      }
      ctx.notify('error', describe(err));
    }
  }

  function askShort(o: OrderView): void {
    const reason = h('input', { class: 'field', 'data-testid': 'short-reason', 'aria-label': '短发原因 (reason)', placeholder: '短发原因，如：库存不足' });
    const pin = h('input', { class: 'field', type: 'password', inputmode: 'numeric', 'data-testid': 'short-pin', 'aria-label': 'PIN', autocomplete: 'off', placeholder: 'PIN' });
    const msg = h('div', { class: 'login-message', 'data-testid': 'short-message' });
    const short = o.lines.filter((l) => l.shipped < l.quantity).map((l) => `${l.productName} ${l.shipped}/${l.quantity}`).join('，');
    const sign = h('button', {
      class: 'btn btn-warn', 'data-testid': 'short-sign',
      onclick: () => {
        if (reason.value.trim() === '' || pin.value === '') { replace(msg, '请填写原因并输入 PIN (reason and PIN are required)'); return; }
        void ctx.client.call('completeOrder', { params: { orderId }, body: { reason: reason.value.trim(), pin: pin.value } }).then((done) => {
          pin.value = '';
          dialog.close();
          drawOrder(done);
          ctx.notify('ok', `发货单 ${orderId} 已短发完成 (completed short, signed)`);
        }, (err: unknown) => { pin.value = ''; msg.className = 'login-message login-error'; replace(msg, describe(err)); });
      },
    }, '签名完成');
    replace(dialog,
      h('h2', {}, `短发 (short shipment)：${short}`),
      h('label', { class: 'field-label' }, '原因 (reason)', reason),
      h('label', { class: 'field-label' }, '本人 PIN 签名 (your PIN signs)', pin),
      msg,
      h('div', { class: 'dialog-buttons' }, h('button', { class: 'btn', 'data-testid': 'short-cancel', onclick: () => { dialog.close(); scan.focus(); } }, '取消'), sign));
    dialog.showModal();
    reason.focus();
  }

  async function complete(): Promise<void> {
    const o = order;
    if (o === null) return;
    if (o.lines.some((l) => l.shipped < l.quantity)) { askShort(o); return; }
    try {
      drawOrder(await ctx.client.call('completeOrder', { params: { orderId }, body: {} }));
      ctx.notify('ok', `发货单 ${orderId} 已完成发货 (order shipped)`);
    } catch (err) {
      if (lostSession(err)) { ctx.sessionLost(err); return; }
      if (err instanceof ApiCallError && err.code === 'SIGNATURE_REQUIRED') { await refresh(); if (order !== null) askShort(order); return; }
      ctx.notify('error', describe(err));
    }
    scan.focus();
  }

  void refresh();
  const timer = setInterval(() => { void refresh(); }, POLL_MS);
  return {
    root,
    dispose() {
      disposed = true;
      clearInterval(timer);
      stopFocus();
      if (dialog.open) dialog.close();
    },
  };
}
