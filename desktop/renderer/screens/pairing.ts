import { h, replace } from '../dom.ts';

/**
 * What the pairing station's status endpoint sends (edge/pairing/pairing-ui.ts, from PairingStationStatus):
 * declared here because the renderer imports no edge code but the API contract. Inner codes arrive masked.
 */
export interface PairingStatusView {
  readonly mode: 'pairing';
  readonly state: string;
  readonly station: { readonly id: string; readonly name?: string; readonly line: string };
  readonly run: { readonly uuid: string; readonly line: string };
  readonly counts: { readonly items: number; readonly paired: number; readonly waste: number; readonly byReason: Readonly<Record<string, number>> };
  readonly lastItems: readonly { readonly seq: number; readonly at: string; readonly outcome: 'paired' | 'waste'; readonly reason: string | null; readonly reasonLabel: string | null; readonly inner: string | null; readonly outer: string | null }[];
  readonly alarms: readonly { readonly id: string; readonly level: string; readonly message: string; readonly action?: string }[];
  readonly queued: number;
  readonly unseen: number;
}

/** Reason keys in the order the line staff name them, with their Chinese names (the screen is bilingual in place). */
const REASONS: readonly (readonly [string, string])[] = [
  ['one-side', '单面无读'], ['duplicate', '重码'], ['foreign', '码包外'], ['already-paired', '已关联'], ['slipped', '错位'], ['print-failed', '打印失败'],
];

const STATE_ZH: Readonly<Record<string, string>> = {
  stopped: '已停止 (stopped)', idle: '运行中 (running)', reading: '读码中 (reading)', deciding: '判定中 (deciding)',
  accepting: '放行 (accepting)', rejecting: '排废 (rejecting)', halted: '已停机 (halted)',
};

/**
 * The pairing station's operator screen (issue 15 §2), in the operator screen's style: large counters (items,
 * pairs, waste), waste by reason, the last items (inner codes masked by the station), alarms with what to do.
 * `update` re-fills the live parts in place (no page rebuild per poll).
 */
export function pairingScreen(): { readonly root: HTMLElement; update(view: PairingStatusView): void; dispose(): void } {
  const title = h('h1', { class: 'pairing-title', 'data-testid': 'pairing-title' });
  const counters = h('div', { class: 'counters', 'data-testid': 'pairing-counters' });
  const reasons = h('div', { class: 'counters counters-small', 'data-testid': 'pairing-reasons' });
  const alarms = h('ul', { class: 'alarms', 'data-testid': 'pairing-alarms' });
  const items = h('ol', { class: 'reads', 'data-testid': 'pairing-items' });
  const root = h('div', { class: 'operator pairing' },
    title, counters, h('h2', {}, '排废原因 (waste by reason)'), reasons,
    h('h2', {}, '报警 (alarms)'), alarms, h('h2', {}, '最近件 (last items)'), items);
  const counter = (label: string, value: number, testid: string): HTMLElement =>
    h('div', { class: 'counter', 'data-testid': testid }, h('div', { class: 'counter-value' }, String(value)), h('div', { class: 'counter-label' }, label));
  return {
    root,
    update(v) {
      replace(title, `${v.station.name ?? v.station.id} · 配对工位 (pairing) · ${STATE_ZH[v.state] ?? v.state}`);
      replace(counters,
        counter('过线 (items)', v.counts.items, 'count-items'),
        counter('配对 (pairs)', v.counts.paired, 'count-paired'),
        counter('排废 (waste)', v.counts.waste, 'count-waste'),
        ...(v.unseen > 0 ? [counter('未判定通过 (unseen)', v.unseen, 'count-unseen')] : []));
      replace(reasons, ...REASONS.map(([key, zh]) => counter(`${zh} (${key})`, v.counts.byReason[key] ?? 0, `reason-${key}`)));
      replace(alarms, ...(v.alarms.length === 0
        ? [h('li', { class: 'alarm-none' }, '无报警 (no alarms)')]
        : v.alarms.map((a) => h('li', { class: `alarm alarm-${a.level}` }, a.message, a.action ? h('div', { class: 'alarm-action' }, a.action) : null))));
      replace(items, ...v.lastItems.map((i) => h('li', { class: `read read-${i.outcome === 'paired' ? 'good' : 'reject'}`, 'data-testid': `item-${i.seq}` },
        h('span', { class: 'read-seq' }, `#${i.seq}`),
        h('span', { class: 'read-outcome' }, i.outcome === 'paired' ? '配对 (paired)' : `排废 ${i.reasonLabel ?? ''} (${i.reason ?? ''})`),
        h('span', { class: 'read-code' }, `外 ${i.outer ?? '—'}`),
        h('span', { class: 'read-code' }, `内 ${i.inner ?? '—'}`))));
    },
    dispose() {},
  };
}
