import type { TraceResult } from '../../../edge/api/warehouse-contract.ts';
import { call } from '../api.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../errors.ts';
import { formatDateTime, t, tOr } from '../i18n.ts';
import { keepFocus, scanInput } from '../scan-input.ts';
import type { Screen, ScreenContext } from '../screen.ts';

type Verdict = NonNullable<TraceResult['finding']>['verdict'];

/**
 * QA / 稽查 (issue 13 §4): scan or type any code — cap-outer, case, pallet, or (QA only) an inner code — and see
 * where it came from and where it went: product, batch, production date, line, case, pallet, order, dealer, region,
 * ship date. With a 发现地区 (region where it was found in the market) the finding is recorded and the verdict
 * says plainly 窜货 / 本区域 / 未发货, large.
 *
 * The scanned value never goes in a URL and is never echoed back to the page: the screen cannot tell an inner
 * code from an outer one, so every lookup is a POST (trace/lookup, or trace/findings with a region) and what is
 * shown is the API's answer, which masks secret codes. The scan field clears itself after each scan.
 */
export function traceScreen(ctx: ScreenContext): Screen {
  const result = h('div', { class: 'trace-result', 'data-testid': 'trace-result' });
  const region = h('input', {
    class: 'field', 'data-testid': 'trace-region', autocomplete: 'off', maxlength: 64,
    placeholder: t('trace.regionHint'), 'aria-label': t('trace.region'),
  });
  const note = h('input', {
    class: 'field', 'data-testid': 'trace-note', autocomplete: 'off', maxlength: 500,
    placeholder: t('trace.noteHint'), 'aria-label': t('trace.note'),
  });
  let disposed = false;
  let seq = 0;

  const lookup = async (code: string): Promise<void> => {
    const mine = ++seq;
    const foundIn = region.value.trim();
    const noteText = note.value.trim();
    replace(result, h('p', { class: 'loading' }, t('common.loading')));
    try {
      const r = foundIn === ''
        ? await call('traceLookup', { body: { code } })
        : await call('recordFinding', { body: { code, foundIn, ...(noteText === '' ? {} : { note: noteText }) } });
      if (disposed || mine !== seq) return;
      draw(r);
      if (r.finding !== null) note.value = '';
    } catch (err) {
      if (disposed || mine !== seq) return;
      // The API's message names the code masked when it is secret; the typed value itself is never shown.
      replace(result, h('div', { class: 'panel panel-error', 'data-testid': 'trace-error' }, describeError(err)));
    }
  };

  const row = (key: string, value: string | null | undefined, testId: string): HTMLElement =>
    h('div', { class: 'trace-row' }, h('dt', {}, t(key)), h('dd', { 'data-testid': testId, class: value === null || value === undefined || value === '' ? 'sub' : '' }, value === null || value === undefined || value === '' ? '—' : value));

  const verdictBox = (f: NonNullable<TraceResult['finding']>): HTMLElement => {
    const v: Verdict = f.verdict;
    return h('section', { class: `panel trace-verdict trace-verdict-${v}`, 'data-testid': 'trace-verdict', 'data-verdict': v },
      h('div', { class: 'trace-verdict-word', 'data-testid': 'trace-verdict-word' }, t(`trace.verdict.${v}`)),
      h('p', { class: 'trace-verdict-text', 'data-testid': 'trace-verdict-text' }, f.message),
      h('p', { class: 'sub', 'data-testid': 'trace-recorded' }, t('trace.recorded', { id: f.id, region: f.foundIn })));
  };

  const draw = (r: TraceResult): void => {
    const s = r.shipment;
    replace(result,
      r.finding === null ? null : verdictBox(r.finding),
      h('section', { class: 'panel' },
        h('h2', {}, t('trace.code'), ' ', h('span', { class: 'mono', 'data-testid': 'trace-code' }, r.code),
          ' ', h('span', { class: 'pill' }, tOr(`kind.${r.kind}`, r.kind)),
          ' ', h('span', { class: 'pill', 'data-testid': 'trace-status' }, tOr(`status.${r.status}`, r.status))),
        h('dl', { class: 'trace-facts' },
          row('trace.product', r.product === null ? null : `${r.product.name} (${r.product.id})`, 'trace-product'),
          row('trace.lot', r.batch?.lot, 'trace-lot'),
          row('trace.productionDate', r.batch?.productionDate, 'trace-production-date'),
          row('trace.line', r.batch?.line, 'trace-line'),
          row('trace.case', r.case, 'trace-case'),
          row('trace.pallet', s?.pallet ?? r.pallet, 'trace-pallet'),
          row('trace.order', s?.orderId, 'trace-order'),
          row('trace.dealer', s === null ? null : `${s.dealer.name} (${s.dealer.id})`, 'trace-dealer'),
          row('trace.shippedRegion', r.region, 'trace-region-shipped'),
          row('trace.shippedAt', r.shippedAt === null ? null : formatDateTime(r.shippedAt), 'trace-shipped-at'),
          s === null ? null : row('trace.warehouse', s.warehouseId, 'trace-warehouse'),
          s?.returned === true ? row('trace.returned', t('common.yes'), 'trace-returned') : null),
        s === null ? h('p', { class: 'hint', 'data-testid': 'trace-not-shipped' }, t('trace.notShipped')) : null),
      r.shipments.length <= 1 ? null : h('section', { class: 'panel' }, h('h2', {}, t('trace.shipments')),
        h('table', { class: 'table', 'data-testid': 'trace-shipments' },
          h('thead', {}, h('tr', {}, ...[t('trace.order'), t('trace.dealer'), t('trace.shippedRegion'), t('trace.shippedAt'), t('trace.returned')].map((x) => h('th', {}, x)))),
          h('tbody', {}, ...r.shipments.map((x) => h('tr', {},
            h('td', { class: 'mono' }, x.orderId), h('td', {}, x.dealer.name), h('td', {}, x.dealer.region),
            h('td', {}, formatDateTime(x.shippedAt)), h('td', {}, x.returned ? t('common.yes') : t('common.no'))))))),
    );
  };

  const scan = scanInput({ label: t('trace.scan'), placeholder: t('trace.scanHint'), testId: 'trace-scan', onScan: (v) => { void lookup(v); } });
  const stopFocus = keepFocus(scan.input);
  // Enter in the region or note field goes back to the scan field, where the scan gun types.
  for (const f of [region, note]) f.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); scan.focus(); } });
  const root = h('div', { class: 'trace' },
    h('div', { class: 'trace-top' }, scan.root,
      h('label', { class: 'field-label' }, t('trace.region'), region),
      h('label', { class: 'field-label' }, t('trace.note'), note)),
    h('p', { class: 'sub' }, ctx.may('trace.finding') ? t('trace.help') : t('trace.helpNoFinding')),
    result,
  );
  replace(result, h('p', { class: 'hint' }, t('trace.start')));
  setTimeout(() => scan.focus(), 0);
  return { root, dispose(): void { disposed = true; stopFocus(); } };
}
