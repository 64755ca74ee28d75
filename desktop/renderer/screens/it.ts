import type { BatchView, DeviceTestView, DeviceView, PackageView, PushMessage, SeriesView, SyncStatusView } from '../../../edge/api/contract.ts';
import { call, operationUrl } from '../api.ts';
import { closeBatchFlow, reportLinks } from '../components/batch-close.ts';
import { barChart, rateChart } from '../components/chart.ts';
import { orderImportPanel } from '../components/order-import-panel.ts';
import { progressBar } from '../components/progress.ts';
import { shellPanel } from '../components/shell-panel.ts';
import { pdaDevicesPanel } from '../pda/pda-devices-panel.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../errors.ts';
import { formatDateTime, formatNumber, formatTime, t, tOr } from '../i18n.ts';
import type { Screen, ScreenContext } from '../screen.ts';
import { shellBridge } from '../shell-bridge.ts';

/**
 * IT: devices with a probe and a test button each (a test prints one test code or triggers one read), code packages and imports (progress pushed over the WebSocket), sync
 * to headquarters per pallet with quarantined events and why, batch reports to download, and throughput /
 * read-rate charts for the last hour. Inside the desktop shell (window.wuma present) also the app's own controls:
 * edge status, restart the service, kiosk mode (components/shell-panel.ts); in a plain browser they are absent.
 */
export function itScreen(ctx: ScreenContext): Screen {
  const devices = h('div', { 'data-testid': 'it-devices' });
  const packages = h('div', { 'data-testid': 'it-packages' });
  const imports = h('div', { class: 'imports', 'data-testid': 'it-imports' });
  const sync = h('div', { 'data-testid': 'it-sync' });
  const batches = h('div', { 'data-testid': 'it-batches' });
  const charts = h('div', { class: 'charts', 'data-testid': 'it-charts' });
  const importRows = new Map<string, { readonly size: number; readonly row: HTMLElement }>();
  let disposed = false;

  const guard = async (what: () => Promise<void>): Promise<void> => {
    try { await what(); } catch (err) { if (!disposed) ctx.notify('error', describeError(err)); }
  };

  const loadDevices = (): Promise<void> => guard(async () => {
    const r = await call('listDevices');
    if (disposed) return;
    replace(devices, r.devices.length === 0 ? h('p', { class: 'empty' }, t('it.noDevices')) : h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ...[t('it.device'), t('it.class'), t('it.driver'), t('it.endpoint'), t('it.status'), ''].map((s) => h('th', {}, s)))),
      h('tbody', {}, ...r.devices.map(deviceRow))));
  });

  const deviceRow = (d: DeviceView): HTMLElement => {
    const state = h('td', { class: 'device-state', 'data-testid': `device-state-${d.id}` }, t('it.notProbed'));
    const probe = async (): Promise<void> => {
      replace(state, t('it.probing'));
      try {
        const r = await call('probeDevice', { params: { deviceId: d.id } });
        state.className = `device-state ${r.ok ? 'ok' : 'bad'}`;
        replace(state, r.ok ? t('it.probeOk', { ms: r.elapsedMs }) : t('it.probeBad', { reason: r.reason }));
      } catch (err) {
        state.className = 'device-state bad';
        replace(state, describeError(err));
      }
    };
    const tested = h('div', { class: 'sub device-test', 'data-testid': `device-test-${d.id}` });
    const test = async (): Promise<void> => {
      tested.className = 'sub device-test';
      replace(tested, t('it.testing'));
      try {
        const r = await call('testDevice', { params: { deviceId: d.id } });
        tested.className = `sub device-test ${r.kind === 'printed' || r.kind === 'read' ? 'ok' : 'bad'}`;
        replace(tested, describeTest(r));
      } catch (err) {
        tested.className = 'sub device-test bad';
        replace(tested, describeError(err));
      }
    };
    return h('tr', {},
      h('td', {}, d.id, h('div', { class: 'sub' }, d.role)), h('td', {}, tOr(`it.class.${d.class}`, d.class)), h('td', {}, d.driver),
      h('td', { class: 'mono' }, d.endpoint), state,
      h('td', {}, ...(d.probe && ctx.may('device.settings')
        ? [h('button', { class: 'btn', 'data-testid': `probe-${d.id}`, onclick: () => { void probe(); } }, t('it.probe')),
          h('button', { class: 'btn', 'data-testid': `test-${d.id}`, onclick: () => { void test(); } }, d.class === 'printer' ? t('it.testPrint') : t('it.testRead')),
          tested]
        : [h('span', { class: 'sub' }, t('it.noProbe'))])));
  };

  /** One line for a test result; codes a reader returned come masked from the API. */
  const describeTest = (r: DeviceTestView): string => {
    switch (r.kind) {
      case 'printed': return t('it.testPrinted', { code: r.testCode, ms: r.elapsedMs });
      case 'rejected': return t('it.testRejected', { code: r.testCode, reason: tOr(`it.testReject.${r.reason}`, r.reason), detail: r.detail });
      case 'unknown': return t('it.testUnknown', { code: r.testCode, detail: r.detail });
      case 'read': return t('it.testReadOk', { n: r.codes.length, codes: r.codes.map((c) => c.text).join(', '), ms: r.elapsedMs });
      case 'no-read': return t('it.testNoRead', { cause: tOr(`it.testNoReadCause.${r.cause}`, r.cause) });
      case 'failed': return t('it.testFailed', { reason: r.reason });
    }
  };

  const loadPackages = (): Promise<void> => guard(async () => {
    const r = await call('listPackages');
    if (disposed) return;
    replace(packages, r.packages.length === 0 ? h('p', { class: 'empty' }, t('it.noPackages')) : h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ...[t('it.package'), t('it.kind'), t('it.product'), t('it.count'), t('it.state'), t('it.created')].map((s) => h('th', {}, s)))),
      h('tbody', {}, ...r.packages.map((p: PackageView) => h('tr', {},
        h('td', { class: 'mono' }, p.uuid.slice(0, 8)), h('td', {}, tOr(`kind.${p.kind}`, p.kind)), h('td', {}, p.productId ?? '—'),
        h('td', { class: 'num' }, formatNumber(p.count)),
        h('td', {}, progressBar(tOr(`it.pkgState.${p.state}`, p.state), p.state === 'ready' ? p.count : 0, Math.max(p.count, 1), `pkg-${p.uuid.slice(0, 8)}`)),
        h('td', {}, formatDateTime(p.createdAt)))))));
  });

  const importForm = (): HTMLElement => {
    const file = h('input', { type: 'file', class: 'field', 'data-testid': 'import-file', 'aria-label': t('it.importFile') });
    const kind = h('select', { class: 'field', 'data-testid': 'import-kind', 'aria-label': t('it.kind') },
      ...['cap-inner', 'cap-outer', 'case-inner', 'case-outer', 'pallet', 'box'].map((k) => h('option', { value: k }, tOr(`kind.${k}`, k))));
    const product = h('input', { class: 'field', 'data-testid': 'import-product', placeholder: t('it.product'), 'aria-label': t('it.product') });
    const upload = async (): Promise<void> => {
      const f = file.files?.[0];
      if (f === undefined) { ctx.notify('error', t('it.chooseFile')); return; }
      const importId = crypto.randomUUID();
      const row = h('div', { class: 'import-row' });
      importRows.set(importId, { size: f.size, row });
      imports.prepend(row);
      drawImport(importId, 0, 'upload');
      const query: Record<string, string> = { kind: kind.value, importId };
      if (product.value.trim() !== '') query['productId'] = product.value.trim();
      try {
        const res = await fetch(operationUrl('importPackage', { query }), { method: 'POST', credentials: 'same-origin', body: f, headers: { 'content-type': 'application/octet-stream' } });
        const body = (await res.json()) as { ok?: boolean; message?: string; stored?: number };
        if (!res.ok || body.ok === false) throw new Error(body.message ?? `HTTP ${res.status}`);
        drawImport(importId, f.size, 'done', t('it.imported', { n: formatNumber(body.stored ?? 0) }));
        void loadPackages();
      } catch (err) {
        drawImport(importId, 0, 'failed', describeError(err));
      }
    };
    return h('div', { class: 'import-form' }, file, kind, product,
      h('button', { class: 'btn btn-primary', 'data-testid': 'import-start', disabled: !ctx.may('codes.import'), onclick: () => { void upload(); } }, t('it.import')));
  };

  const drawImport = (importId: string, bytes: number, phase: string, text?: string): void => {
    const r = importRows.get(importId);
    if (r === undefined) return;
    replace(r.row, progressBar(`${tOr(`it.phase.${phase}`, phase)} · ${importId.slice(0, 8)}`, Math.min(bytes, r.size), Math.max(r.size, 1), `import-${importId.slice(0, 8)}`, text));
  };

  const loadSync = (): Promise<void> => guard(async () => {
    const s: SyncStatusView = await call('syncStatus');
    if (disposed) return;
    replace(sync,
      h('div', { class: 'sync-counts' },
        h('span', { class: 'pill' }, t('it.pending', { n: formatNumber(s.counts.pending) })),
        h('span', { class: 'pill pill-ok' }, t('it.confirmed', { n: formatNumber(s.counts.confirmed) })),
        h('span', { class: `pill ${s.counts.quarantined > 0 ? 'pill-bad' : ''}` }, t('it.quarantined', { n: formatNumber(s.counts.quarantined) })),
        h('span', { class: 'sub' }, s.sender === null ? t('it.noSender') : t('it.sender', { state: s.sender.state, at: formatTime(s.sender.at) })),
        h('span', { class: 'sub' }, s.lastSuccessAt === null ? '' : t('it.lastSuccess', { at: formatDateTime(s.lastSuccessAt) }))),
      s.pallets.length === 0 ? h('p', { class: 'empty' }, t('it.noPallets')) : h('table', { class: 'table', 'data-testid': 'sync-pallets' },
        h('thead', {}, h('tr', {}, ...[t('it.pallet'), t('it.events'), t('it.confirmedCol'), t('it.pendingCol'), t('it.quarantinedCol'), t('it.hq')].map((s) => h('th', {}, s)))),
        h('tbody', {}, ...s.pallets.slice(0, 50).map((p) => h('tr', {},
          h('td', { class: 'mono' }, p.pallet), h('td', { class: 'num' }, p.events), h('td', { class: 'num' }, p.confirmed), h('td', { class: 'num' }, p.pending),
          h('td', { class: `num ${p.quarantined > 0 ? 'bad' : ''}` }, p.quarantined), h('td', {}, p.confirmedByHeadquarters ? t('common.yes') : t('common.no')))))),
      s.quarantined.length === 0 ? null : h('div', {}, h('h3', {}, t('it.quarantineTitle')), h('table', { class: 'table', 'data-testid': 'sync-quarantine' },
        h('thead', {}, h('tr', {}, ...[t('it.event'), t('it.pallet'), t('it.attempts'), t('it.why')].map((s) => h('th', {}, s)))),
        h('tbody', {}, ...s.quarantined.map((q) => h('tr', {},
          h('td', {}, q.eventType, h('div', { class: 'sub mono' }, q.eventId.slice(0, 24))), h('td', { class: 'mono' }, q.pallet ?? '—'),
          h('td', { class: 'num' }, q.attempts), h('td', { class: 'bad' }, q.reason)))))),
    );
  });

  const loadBatches = (): Promise<void> => guard(async () => {
    const r = await call('listBatches', { query: { limit: 20 } });
    if (disposed) return;
    replace(batches, r.batches.length === 0 ? h('p', { class: 'empty' }, t('it.noBatches')) : h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ...[t('batch.lot'), t('it.product'), t('batch.date'), t('it.state'), t('it.report')].map((s) => h('th', {}, s)))),
      h('tbody', {}, ...r.batches.map((b: BatchView) => h('tr', { 'data-testid': `batch-row-${b.id}` },
        h('td', {}, b.lot), h('td', {}, b.productId), h('td', {}, b.productionDate),
        h('td', {}, h('span', { class: `state state-${b.state}` }, t(`batch.state.${b.state}`))),
        h('td', {}, reportLinks(b), b.state !== 'closed' && ctx.may('batch.close')
          ? h('button', { class: 'btn btn-danger', 'data-testid': `close-${b.id}`, onclick: () => { void closeBatchFlow(ctx, b).then(() => loadBatches()); } }, t('batch.close'))
          : null))))));
  });

  const loadCharts = (): Promise<void> => guard(async () => {
    const s: SeriesView = await call('series', { query: { minutes: 60, bucketSeconds: 60 } });
    if (disposed) return;
    const from = formatTime(s.from);
    const to = formatTime(s.to);
    replace(charts,
      h('figure', { class: 'chart-box' }, h('figcaption', {}, t('it.throughput')), barChart(t('it.throughput'), 'chart-throughput', s.points.map((p) => p.cases), from, to)),
      h('figure', { class: 'chart-box' }, h('figcaption', {}, t('it.readRate')), rateChart(t('it.readRate'), 'chart-read-rate', s.points.map((p) => p.readRate), from, to)),
    );
  });

  const section = (title: string, body: HTMLElement, ...extra: HTMLElement[]): HTMLElement =>
    h('section', { class: 'panel' }, h('h2', {}, title), ...extra, body);
  const bridge = ctx.may('device.settings') ? shellBridge() : null;
  const shell = bridge === null ? null : shellPanel(ctx, bridge);
  const root = h('div', { class: 'it' },
    shell?.root ?? null,
    section(t('it.devices'), devices),
    ctx.may('device.settings') ? pdaDevicesPanel(ctx).root : null,
    ctx.may('dispatch.order') ? orderImportPanel(ctx).root : null,
    section(t('it.charts'), charts),
    section(t('it.packages'), packages, importForm(), imports),
    section(t('it.sync'), sync),
    section(t('it.batches'), batches),
  );
  for (const el of [devices, packages, sync, batches, charts]) replace(el, h('p', { class: 'loading' }, t('common.loading')));
  void Promise.all([loadDevices(), loadPackages(), loadSync(), loadBatches(), loadCharts()]);
  const timer = setInterval(() => { void loadCharts(); }, 30_000);
  return {
    root,
    onPush(m: PushMessage): void {
      if (m.type === 'import') drawImport(m.importId, m.bytesReceived, m.phase);
      else if (m.type === 'sync') void loadSync();
      else if (m.type === 'batch') void loadBatches();
    },
    dispose(): void { disposed = true; clearInterval(timer); shell?.dispose(); },
  };
}
