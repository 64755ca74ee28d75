import type { PairPdaResult, PdaDeviceView } from '../../../edge/api/warehouse-contract.ts';
import { call } from '../api.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../errors.ts';
import { formatDateTime } from '../i18n.ts';
import type { ScreenContext } from '../screen.ts';

/**
 * The IT screen's PDA pairing (issue 13 §5): name a PDA, press 配对, and it shows a QR the PDA scans once (the
 * link carries the device token, which is shown only as this QR and masked in text, and only until the panel is
 * closed or the next pairing); the list of paired PDAs with a revoke button each. Bilingual in place, like the
 * pairing station's screen.
 */
export function pdaDevicesPanel(ctx: ScreenContext): { readonly root: HTMLElement } {
  const list = h('div', { 'data-testid': 'pda-devices' }, h('p', { class: 'loading' }, '读取中… (loading…)'));
  const shown = h('div', { class: 'pda-pairing', 'data-testid': 'pda-pairing' });
  const name = h('input', { class: 'field', 'data-testid': 'pda-name', 'aria-label': 'PDA 名称 (name)', placeholder: '如 仓库 PDA 3 (e.g. warehouse PDA 3)', maxlength: 100 });

  const load = async (): Promise<void> => {
    try {
      const r = await call('listPdaDevices');
      replace(list, r.devices.length === 0 ? h('p', { class: 'empty' }, '尚未配对任何 PDA (no PDA paired yet)') : h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, ...['PDA', '配对 (paired)', '状态 (state)', ''].map((s) => h('th', {}, s)))),
        h('tbody', {}, ...r.devices.map(row))));
    } catch (err) {
      replace(list, h('p', { class: 'panel-error' }, describeError(err)));
    }
  };

  const row = (d: PdaDeviceView): HTMLElement => h('tr', { 'data-testid': `pda-${d.id}` },
    h('td', {}, `${d.name} (${d.id})`),
    h('td', {}, `${formatDateTime(d.pairedAt)} · ${d.pairedBy}`),
    h('td', {}, d.revokedAt === null ? '有效 (active)' : `已撤销 (revoked) ${formatDateTime(d.revokedAt)} · ${d.revokedBy ?? ''}`),
    h('td', {}, d.revokedAt !== null ? '' : h('button', {
      class: 'btn btn-danger', 'data-testid': `pda-revoke-${d.id}`,
      onclick: () => {
        void call('revokePdaDevice', { params: { deviceId: d.id } }).then(() => {
          ctx.notify('ok', `已撤销 ${d.name} 的配对 (revoked)`);
          replace(shown);
          return load();
        }, (err: unknown) => { ctx.notify('error', describeError(err)); });
      },
    }, '撤销 (revoke)')));

  const pair = async (): Promise<void> => {
    try {
      const r: PairPdaResult = await call('pairPdaDevice', { body: { name: name.value.trim() } });
      name.value = '';
      replace(shown,
        h('p', {}, `请用 ${r.device.name} 扫描此二维码（只显示这一次）(scan this QR with the PDA; shown once)`),
        h('img', { class: 'pda-qr', 'data-testid': 'pda-qr', src: r.qr, alt: 'PDA 配对二维码 (pairing QR)', width: 280, height: 280 }),
        h('p', { class: 'sub mono', 'data-testid': 'pda-link' }, r.linkShown),
        r.reachableFromLan ? null : h('p', { class: 'panel-error', 'data-testid': 'pda-not-lan' }, '本地接口只监听 127.0.0.1，局域网内的 PDA 连不上：请用 --allow-lan 和 TLS 证书启动 (the API listens on loopback only: start it with --allow-lan and TLS)'),
        h('button', { class: 'btn', 'data-testid': 'pda-qr-done', onclick: () => { replace(shown); } }, '完成 (done)'));
      await load();
    } catch (err) {
      ctx.notify('error', describeError(err));
    }
  };

  const root = h('section', { class: 'panel', 'data-testid': 'it-pda' },
    h('h2', {}, 'PDA 配对 (warehouse PDAs)'),
    h('div', { class: 'form-grid' }, h('label', { class: 'field-label' }, 'PDA 名称 (name)', name),
      h('button', { class: 'btn btn-primary', 'data-testid': 'pda-pair', onclick: () => { void pair(); } }, '配对 (pair)')),
    shown, list);
  void load();
  return { root };
}
