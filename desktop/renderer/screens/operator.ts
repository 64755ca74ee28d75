import type { BatchView, PackageView, ProductView, PushMessage, RejectView, StationStatus } from '../../../edge/api/contract.ts';
import { call } from '../api.ts';
import { beep } from '../beep.ts';
import { alarmPanel } from '../components/alarm-panel.ts';
import { capturePanel, type CapturePanel } from '../components/capture-panel.ts';
import { closeBatchFlow, reportLinks } from '../components/batch-close.ts';
import { progressBar } from '../components/progress.ts';
import { signDialog } from '../components/sign-dialog.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../errors.ts';
import { formatNumber, formatTime, t, tOr } from '../i18n.ts';
import type { Screen, ScreenContext } from '../screen.ts';

const MAX_REJECTS = 6;

/**
 * The line operator's screen. Without a running batch: the products as big buttons; one tap prefills lot, date,
 * line and code packages, a second starts (≤ 3 actions). With a batch: large live counters, the case being filled
 * and the pallet's progress, the last reads (inner codes come masked from the API), rejects with their reason,
 * alarms with what to do; pause / resume, end the pallet early, close (where the role may); manual capture with
 * the handheld scanner when the camera is down (components/capture-panel.ts), in place of the live view.
 */
export function operatorScreen(ctx: ScreenContext): Screen {
  const root = h('div', { class: 'operator' });
  const alarms = alarmPanel();
  let status: StationStatus | null = null;
  let products: readonly ProductView[] = [];
  let rejects: RejectView[] = [];
  let disposed = false;
  // After a close the report links stay up until the operator asks for a new batch (pushes must not wipe them).
  let closedShown = false;
  // Manual capture shown in place of the live view (null: the live view).
  let capture: CapturePanel | null = null;
  // Live parts, re-filled on each status push without rebuilding the page (no flicker at 10 pushes/s).
  const counters = h('div', { class: 'counters', 'data-testid': 'counters' });
  const progress = h('div', { class: 'progress-row' });
  const reads = h('ol', { class: 'reads', 'data-testid': 'last-reads' });
  const rejectList = h('ol', { class: 'rejects', 'data-testid': 'rejects' });
  const batchBar = h('div', { class: 'batch-bar', 'data-testid': 'batch-bar' });

  const productName = (id: string): string => products.find((p) => p.id === id)?.name ?? id;

  const load = async (): Promise<void> => {
    try {
      const [s, p, r] = await Promise.all([call('status'), call('listProducts'), call('listRejects', { query: { limit: MAX_REJECTS } })]);
      if (disposed) return;
      status = s;
      products = p.products;
      rejects = s.batch === null ? [] : r.rejects.filter((x) => x.batchId === s.batch?.id).slice(0, MAX_REJECTS);
      draw();
    } catch (err) {
      ctx.notify('error', describeError(err));
    }
  };

  const draw = (): void => {
    if (closedShown) return;
    if (capture !== null) { replace(root, capture.root); return; }
    if (status === null) { replace(root, h('p', { class: 'loading' }, t('common.loading'))); return; }
    const b = status.batch;
    if (b === null || b.state === 'closed') { void drawStart(); return; }
    drawBatchBar(b);
    drawLive();
    replace(root,
      batchBar,
      alarms.root,
      counters,
      progress,
      h('div', { class: 'two-col' },
        h('section', { class: 'panel' }, h('h2', {}, t('op.lastReads')), reads),
        h('section', { class: 'panel' }, h('h2', {}, t('op.rejects')), rejectList),
      ),
    );
  };

  const drawBatchBar = (b: BatchView): void => {
    const paused = b.state === 'paused';
    replace(batchBar,
      h('div', { class: 'batch-info' },
        h('span', { class: 'batch-product', 'data-testid': 'batch-product' }, productName(b.productId)),
        h('span', { class: 'batch-lot' }, t('batch.lotShort', { lot: b.lot })),
        h('span', { class: 'batch-date' }, b.productionDate),
        h('span', { class: `state state-${b.state}`, 'data-testid': 'batch-state' }, t(`batch.state.${b.state}`)),
      ),
      h('div', { class: 'batch-actions' },
        ctx.may('batch.pause') ? h('button', {
          class: `btn btn-big ${paused ? 'btn-primary' : 'btn-warn'}`, 'data-testid': paused ? 'resume' : 'pause',
          onclick: () => { void act(paused ? call('resumeBatch', { params: { batchId: b.id } }) : call('pauseBatch', { params: { batchId: b.id } }), paused ? t('batch.resumed') : t('batch.paused')); },
        }, paused ? t('batch.resume') : t('batch.pause')) : null,
        ctx.may('pallet.force-close') ? h('button', {
          class: 'btn btn-big', 'data-testid': 'end-pallet',
          onclick: () => { void endPallet(); },
        }, t('op.endPallet')) : null,
        ctx.may('capture.manual') && !paused ? h('button', {
          class: 'btn btn-big btn-warn', 'data-testid': 'open-capture',
          onclick: () => { openCapture(b); },
        }, t('capture.open')) : null,
        ctx.may('batch.close') ? h('button', {
          class: 'btn btn-big btn-danger', 'data-testid': 'close-batch',
          onclick: () => { void closeBatchFlow(ctx, b).then((r) => { if (r !== null) { showClosed(r.batch); } }); },
        }, t('batch.close')) : null,
      ),
    );
  };

  const showClosed = (b: BatchView): void => {
    closedShown = true;
    status = status === null ? null : { ...status, batch: null };
    replace(root, h('section', { class: 'panel closed-batch', 'data-testid': 'batch-closed' },
      h('h2', {}, t('batch.closed', { lot: b.lot })),
      h('p', {}, t('report.ready')),
      reportLinks(b),
      h('button', { class: 'btn btn-primary btn-big', 'data-testid': 'new-batch', onclick: () => { closedShown = false; void drawStart(); } }, t('batch.new')),
    ));
  };

  const openCapture = (b: BatchView): void => {
    capture?.dispose();
    capture = capturePanel(ctx, b, () => { capture?.dispose(); capture = null; void load(); });
    draw();
  };

  /** 提前结束本垛: the pallet is short of its ratio, so the operator says why (no PIN: it is not a signed action). */
  const endPallet = async (): Promise<void> => {
    const pallet = status?.currentPallet ?? null;
    const answer = await signDialog({
      title: t('op.endPalletTitle', { cases: pallet?.cases ?? 0, ratio: pallet?.ratio ?? 0 }),
      reasons: [t('op.endPalletReason.shift'), t('op.endPalletReason.batchEnd'), t('op.endPalletReason.material')],
      confirmLabel: t('op.endPallet'),
      askPin: false,
    });
    if (answer === null) return;
    await act(call('endPallet', { body: { reason: answer.reason } }), t('op.palletEnded'));
  };

  const act = async (p: Promise<unknown>, done: string): Promise<void> => {
    try {
      await p;
      ctx.notify('ok', done);
      await load();
    } catch (err) {
      ctx.notify('error', describeError(err));
    }
  };

  const drawLive = (): void => {
    if (status === null || closedShown) return;
    const c = status.counters;
    const tile = (key: string, value: number, kind: string): HTMLElement =>
      h('div', { class: `counter counter-${kind}`, 'data-testid': `count-${kind}`, 'data-value': value },
        h('div', { class: 'counter-value' }, formatNumber(value)), h('div', { class: 'counter-label' }, t(key)));
    replace(counters,
      tile('count.good', c.good, 'good'), tile('count.reject', c.reject, 'reject'), tile('count.noRead', c.noRead, 'no-read'),
      tile('count.cases', c.cases, 'cases'), tile('count.pallets', c.pallets, 'pallets'));
    const cc = status.currentCase;
    const cp = status.currentPallet;
    replace(progress,
      cc === null ? h('div', { class: 'progress progress-empty' }, t('op.noCase'))
        : progressBar(t('op.caseFill'), cc.filled, cc.ratio, 'case-progress', cc.code ?? t('op.codePending')),
      cp === null ? h('div', { class: 'progress progress-empty' }, t('op.noPallet'))
        : progressBar(t('op.palletFill'), cp.cases, cp.ratio, 'pallet-progress', cp.code ?? t('op.codePending')),
    );
    replace(reads, ...status.lastReads.slice(0, 8).map((r) => h('li', { class: `read read-${r.outcome}`, 'data-testid': 'read' },
      h('span', { class: 'read-time' }, formatTime(r.at)),
      h('span', { class: 'read-code' }, r.code === '' ? '—' : r.code),
      h('span', { class: 'read-outcome' }, t(`read.${r.outcome}`)),
      r.reason === null ? null : h('span', { class: 'read-reason' }, tOr(`reason.${r.reason}`, r.reason)),
    )));
    if (status.lastReads.length === 0) replace(reads, h('li', { class: 'empty' }, t('op.noReads')));
    replace(rejectList, ...rejects.map(rejectItem));
    if (rejects.length === 0) replace(rejectList, h('li', { class: 'empty' }, t('op.noRejects')));
    alarms.update(status.alarms);
  };

  const drawStart = async (): Promise<void> => {
    replace(root, h('p', { class: 'loading' }, t('common.loading')));
    if (!ctx.may('batch.start')) { replace(root, h('section', { class: 'panel' }, h('h2', {}, t('op.noBatch')), h('p', {}, t('op.askToStart')))); return; }
    try {
      const [p, pk, bs] = await Promise.all([call('listProducts'), call('listPackages'), call('listBatches', { query: { limit: 50 } })]);
      if (disposed) return;
      products = p.products;
      replace(root, h('section', { class: 'panel start' },
        h('h2', {}, t('op.chooseProduct')),
        h('div', { class: 'product-grid' }, ...products.map((prod) => h('button', {
          class: 'btn product', 'data-testid': `product-${prod.id}`,
          onclick: () => { drawConfirm(prod, pk.packages, bs.batches); },
        }, h('span', { class: 'product-name' }, prod.name), h('span', { class: 'product-ratio' }, t('op.ratio', { units: prod.unitsPerCase, cases: prod.casesPerPallet }))))),
        products.length === 0 ? h('p', { class: 'empty' }, t('op.noProducts')) : null,
      ));
    } catch (err) {
      ctx.notify('error', describeError(err));
    }
  };

  const drawConfirm = (prod: ProductView, packages: readonly PackageView[], batches: readonly BatchView[]): void => {
    const today = localDate();
    const sameDay = batches.filter((b) => b.productId === prod.id && b.productionDate === today).length;
    const lot = h('input', { class: 'field field-big', 'data-testid': 'lot-input', value: `${today.replaceAll('-', '')}${String(sameDay + 1).padStart(2, '0')}`, 'aria-label': t('batch.lot') });
    const date = h('input', { class: 'field field-big', type: 'date', 'data-testid': 'date-input', value: today, 'aria-label': t('batch.date') });
    // The station's configured line; without a station in edge (API only), the line of the newest batch.
    const line = status?.line ?? batches[0]?.line ?? 'L1';
    const chosen = choosePackages(prod, packages, batches);
    const start = async (): Promise<void> => {
      try {
        const b = await call('startBatch', { body: { productId: prod.id, lot: lot.value.trim(), productionDate: date.value, line, packages: chosen.map((x) => x.uuid) } });
        ctx.notify('ok', t('batch.started', { lot: b.lot }));
        await load();
      } catch (err) {
        ctx.notify('error', describeError(err));
      }
    };
    replace(root, h('section', { class: 'panel start' },
      h('h2', {}, prod.name),
      h('div', { class: 'form-grid' },
        h('label', { class: 'field-label' }, t('batch.lot'), lot),
        h('label', { class: 'field-label' }, t('batch.date'), date),
        h('div', { class: 'field-label' }, t('batch.line'), h('div', { class: 'field-static' }, line)),
        h('div', { class: 'field-label' }, t('batch.packages'), h('ul', { class: 'pkg-list', 'data-testid': 'chosen-packages' },
          ...chosen.map((x) => h('li', {}, `${tOr(`kind.${x.kind}`, x.kind)} · ${formatNumber(x.count)} · ${x.uuid.slice(0, 8)}`)),
          chosen.length === 0 ? h('li', { class: 'empty' }, t('op.noPackages')) : null)),
      ),
      h('div', { class: 'dialog-buttons' },
        h('button', { class: 'btn btn-ghost btn-big', 'data-testid': 'start-back', onclick: () => { void drawStart(); } }, t('common.back')),
        h('button', { class: 'btn btn-primary btn-huge', 'data-testid': 'start-batch', onclick: () => { void start(); } }, t('batch.start')),
      ),
    ));
  };

  const rejectItem = (r: RejectView): HTMLElement => h('li', { class: 'reject', 'data-testid': 'reject', 'data-reason': r.findings[0]?.reason ?? '' },
    h('span', { class: 'read-time' }, formatTime(r.at)),
    h('span', { class: 'reject-reason' }, r.findings.map((f) => tOr(`reason.${f.reason}`, f.reason)).join(' · ')),
    h('span', { class: 'reject-what' }, r.read.caseCode ?? t('op.noCaseCode')),
    h('span', { class: 'reject-do' }, r.findings[0] === undefined ? '' : tOr(`reason.${r.findings[0].reason}.action`, r.findings[0].detail)),
  );

  const screen: Screen = {
    root,
    onPush(m: PushMessage): void {
      capture?.onPush(m);
      if (m.type === 'status') {
        const batchChanged = status?.batch?.id !== m.status.batch?.id || status?.batch?.state !== m.status.batch?.state;
        status = m.status;
        if (batchChanged) { draw(); } else { drawLive(); }
      } else if (m.type === 'alarm') {
        if (status !== null) status = { ...status, alarms: m.alarms };
        alarms.update(m.alarms);
      } else if (m.type === 'reject') {
        if (status?.batch?.id !== m.reject.batchId) return;
        rejects = [m.reject, ...rejects.filter((x) => x.id !== m.reject.id)].slice(0, MAX_REJECTS);
        replace(rejectList, ...rejects.map(rejectItem));
        beep('reject');
      } else if (m.type === 'batch') {
        void load();
      }
    },
    dispose(): void { disposed = true; capture?.dispose(); },
  };
  draw();
  void load();
  return screen;
}

/** Today as YYYY-MM-DD in the station's local time (the production date on the label is local). */
function localDate(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The packages a new batch of `prod` should draw codes from: per code kind, the newest ready package of this
 * product (or of no product) that no open batch holds, preferring one no batch has used yet.
 */
function choosePackages(prod: ProductView, packages: readonly PackageView[], batches: readonly BatchView[]): PackageView[] {
  const inOpen = new Set(batches.filter((b) => b.state !== 'closed').flatMap((b) => b.packages.map((p) => p.uuid)));
  const used = new Set(batches.flatMap((b) => b.packages.map((p) => p.uuid)));
  const byKind = new Map<string, PackageView>();
  const kinds = new Set(['cap-inner', 'cap-outer', 'case-inner', 'case-outer', ...(prod.unitsPerBox !== null ? ['box'] : [])]);
  const candidates = packages
    .filter((p) => p.state === 'ready' && (p.productId === prod.id || p.productId === null) && !inOpen.has(p.uuid) && kinds.has(p.kind))
    .sort((a, b) => Number(used.has(a.uuid)) - Number(used.has(b.uuid)) || b.createdAt.localeCompare(a.createdAt));
  for (const p of candidates) if (!byKind.has(p.kind)) byKind.set(p.kind, p);
  return [...byKind.values()];
}
