/**
 * The HQ page (issue 14 §4), in the browser: served by the receiver at `/hq/` (hq-page.ts), data from
 * `GET /hq/overview` and `GET /epcs/{epc}` with the receiver's bearer token. The token is asked for once per tab
 * (or given as `/hq/#token=…`, which never reaches a server log) and kept in sessionStorage.
 *
 * Shows: sites → lines → stations with last capture time and lag; events and events/s (from two overviews);
 * open conflicts with what to do; a code lookup. Inner codes (cap-inner / case-inner) are masked everywhere:
 * the receiver masks conflicts itself, and every identifier this page prints goes through maskIdentifier.
 */
import { maskIdentifier } from '../../epcis/mask-secret.ts';

interface SiteRow { site: string; events: number; lastCaptureAt: number; lastEventTime: number; lagMs: number }
interface ConflictRow { id: number; kind: string; eventID: string; epc: string; detail: string; site: string | null; at: number }
interface Overview { storage: string; now: number; events: number; sites: SiteRow[]; conflicts: ConflictRow[] }
interface EpcState {
  epc: string;
  commissioned: { eventID: string; site: string | null } | null;
  eventCount: number;
  lastEvent: { type: string; action: string | null; bizStep: string | null; eventTime: string; readPoint: string | null } | null;
  parents: string[];
  children: string[];
}

const TOKEN_KEY = 'wuma.hq.token';
/** A station silent for longer than this is shown as lagging. */
const LATE_MS = 5 * 60_000;
const REFRESH_MS = 3_000;

const KIND: Readonly<Record<string, { label: string; todo: string }>> = {
  COMMISSIONED_TWICE: {
    label: '重复赋码 (COMMISSIONED_TWICE)',
    todo: '同一个码被两个工位赋码：码包可能泄露或被重复下发。请暂停使用该码包，核对两个工位的码包来源，作废重复的码，并追查已出库的货物。',
  },
  DOUBLE_PARENT: {
    label: '一码两箱 (DOUBLE_PARENT)',
    todo: '同一个子码被装进两个箱/垛。请到返工台扫描两个父码，拆出装错的箱并重新关联。',
  },
  UNKNOWN_CODE: {
    label: '未知码 (UNKNOWN_CODE)',
    todo: '总部没有这个码的赋码事件。请在该工位运行 wuma sync status 检查是否有未上传或被隔离的事件；补传后仍未知的码应作废。',
  },
  UNKNOWN_SHIPPED: {
    label: '发货未知码 (UNKNOWN_SHIPPED)',
    todo: '发出的货带有总部从未见过的码：可能是假码或窜货。请立即拦截该发货单并核对货物来源。',
  },
  CLOCK_SKEW: {
    label: '工位时钟偏差 (CLOCK_SKEW)',
    todo: '该工位的事件时间比总部快。请校准该工位电脑的时钟 (NTP)，之后的事件时间才可信。',
  },
};

const app = document.getElementById('app') as HTMLElement;
let token = sessionStorage.getItem(TOKEN_KEY) ?? '';
let previous: { at: number; events: number } | null = null;
let timer: number | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string; testid?: string } = {}, ...children: (Node | null)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className !== undefined) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.testid !== undefined) node.dataset['testid'] = props.testid;
  for (const c of children) if (c !== null) node.append(c);
  return node;
}

class Unauthorized extends Error {}

async function getJson<T>(path: string): Promise<T | null> {
  const res = await fetch(path, { headers: token.length > 0 ? { Authorization: `Bearer ${token}` } : {} });
  if (res.status === 401 || res.status === 403) throw new Unauthorized(res.status === 401 ? '需要访问令牌 (token required)' : '访问令牌错误 (wrong token)');
  if (res.status === 404) return null;
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { title?: string };
    throw new Error(problem.title ?? `总部接口返回 ${res.status} (receiver answered ${res.status})`);
  }
  return (await res.json()) as T;
}

/** An identifier as this page may print it: masked, and not masked twice (the receiver masks conflict codes itself). */
const shown = (uri: string): string => (/\/(?:cap-inner|case-inner)\/[^/]*…[^/]*$/.test(uri) ? uri : maskIdentifier(uri));

const time = (ms: number): string => new Date(ms).toLocaleString('zh-CN', { hour12: false });

function lagText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} 秒前`;
  if (s < 3600) return `${Math.round(s / 60)} 分钟前`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} 小时前`;
  return `${(s / 86_400).toFixed(1)} 天前`;
}

/** A readPoint as site / line / station: GS1 SGLN `…/414/<GLN>/254/<line>-<station>`; anything else is its own site. */
function placeOf(readPoint: string): { site: string; line: string; station: string } {
  const m = /\/414\/(\d{13})(?:\/254\/([^/?#]+))?$/.exec(readPoint);
  if (m === null) return { site: readPoint, line: '—', station: readPoint };
  const ext = decodeURIComponent(m[2] ?? '');
  const dash = ext.indexOf('-');
  return { site: `工厂 GLN ${m[1] ?? ''}`, line: dash > 0 ? ext.slice(0, dash) : '—', station: ext.length > 0 ? (dash > 0 ? ext.slice(dash + 1) : ext) : '—' };
}

/** Where a conflict was raised, as `工厂 … · 产线 · 工位`. */
function where(site: string | null): string {
  if (site === null) return '未知站点 (unknown site)';
  const p = placeOf(site);
  return `${p.site} · 产线 ${p.line} · 工位 ${p.station}`;
}

function showToken(message: string | null): void {
  if (timer !== undefined) clearTimeout(timer);
  const input = el('input', { className: 'field', testid: 'hq-token' });
  input.type = 'password';
  input.autocomplete = 'off';
  const go = el('button', { className: 'btn btn-primary', text: '进入 (open)', testid: 'hq-token-go' });
  const submit = (): void => {
    token = input.value.trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    void refresh();
  };
  go.addEventListener('click', submit);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') submit(); });
  app.replaceChildren(el('div', { className: 'login hq-token' },
    el('h1', { className: 'login-title', text: '五码 总部' }),
    el('p', { className: 'login-sub', text: '请输入接收端访问令牌 (receiver token)' }),
    message === null ? null : el('div', { className: 'login-error', text: message, testid: 'hq-token-error' }),
    el('label', { className: 'scan' }, el('span', { className: 'field-label', text: '访问令牌' }), input),
    go));
  input.focus();
}

function sitesPanel(o: Overview): HTMLElement {
  const tbody = el('tbody');
  const tree = new Map<string, Map<string, { station: string; row: SiteRow }[]>>();
  for (const row of o.sites) {
    const p = placeOf(row.site);
    const lines = tree.get(p.site) ?? new Map<string, { station: string; row: SiteRow }[]>();
    tree.set(p.site, lines);
    const list = lines.get(p.line) ?? [];
    lines.set(p.line, list);
    list.push({ station: p.station, row });
  }
  for (const [site, lines] of [...tree].sort(([a], [b]) => a.localeCompare(b))) {
    const total = [...lines.values()].flat().reduce((s, x) => s + x.row.events, 0);
    const siteRow = el('tr', { className: 'hq-site' }, el('td', { text: site }), el('td', { className: 'hq-num', text: total.toLocaleString('zh-CN') }), el('td'), el('td'));
    tbody.append(siteRow);
    for (const [line, stations] of [...lines].sort(([a], [b]) => a.localeCompare(b))) {
      tbody.append(el('tr', { className: 'hq-line' }, el('td', { text: `产线 ${line}` }), el('td'), el('td'), el('td')));
      for (const { station, row } of stations.sort((a, b) => a.station.localeCompare(b.station))) {
        const late = row.lagMs > LATE_MS;
        const tr = el('tr', { className: 'hq-station', testid: 'hq-station' },
          el('td', { text: `工位 ${station}` }),
          el('td', { className: 'hq-num', text: row.events.toLocaleString('zh-CN') }),
          el('td', { text: time(row.lastCaptureAt) }),
          el('td', { className: late ? 'hq-lag-late' : 'hq-lag-ok', text: `${lagText(row.lagMs)}${late ? ' · 滞后' : ''}` }));
        tr.title = maskIdentifier(row.site);
        tbody.append(tr);
      }
    }
  }
  const table = el('table', { className: 'hq-table' },
    el('thead', {}, el('tr', {}, el('th', { text: '工厂 / 产线 / 工位' }), el('th', { className: 'hq-num', text: '事件数' }), el('th', { text: '最后上传' }), el('th', { text: '延迟' }))),
    tbody);
  return el('section', { className: 'panel', testid: 'hq-sites' }, el('h2', { text: '站点 (sites → lines → stations)' }),
    o.sites.length === 0 ? el('p', { className: 'empty', text: '还没有工位上传事件 (no station has sent events yet)' }) : table);
}

function conflictsPanel(o: Overview): HTMLElement {
  const list = o.conflicts.map((c) => {
    const kind = KIND[c.kind] ?? { label: c.kind, todo: '请核对该码的全部事件 (check all events of this code)' };
    return el('div', { className: 'hq-conflict', testid: 'hq-conflict' },
      el('div', { className: 'hq-conflict-kind', text: kind.label }),
      el('div', { className: 'hq-conflict-code', text: shown(c.epc), testid: 'hq-conflict-code' }),
      el('div', { className: 'hq-conflict-detail', text: c.detail }),
      el('div', { className: 'hq-conflict-todo', text: `处理建议：${kind.todo}` }),
      el('div', { className: 'hq-conflict-meta', text: `${where(c.site)} · ${time(c.at)}` }));
  });
  return el('section', { className: 'panel', testid: 'hq-conflicts' }, el('h2', { text: `未处理冲突 (open conflicts): ${o.conflicts.length}` }),
    ...(list.length === 0 ? [el('p', { className: 'empty', text: '没有冲突 (no conflicts)' })] : list));
}

function lookupPanel(): HTMLElement {
  const input = el('input', { className: 'field', testid: 'hq-lookup-input' });
  input.placeholder = 'https://c.brand.example/cap-outer/… 或 urn:epc:id:sgtin:…';
  const out = el('div', { testid: 'hq-lookup-result' });
  const go = el('button', { className: 'btn btn-link', text: '查询 (look up)', testid: 'hq-lookup-go' });
  const run = async (): Promise<void> => {
    const code = input.value.trim();
    if (code.length === 0) { out.replaceChildren(el('p', { className: 'hint', text: '请输入或扫描一个码 (enter or scan a code)' })); return; }
    out.replaceChildren(el('p', { className: 'loading', text: '查询中… (looking up)' }));
    try {
      const state = await getJson<EpcState>(`/epcs/${encodeURIComponent(code)}`);
      if (state === null) { out.replaceChildren(el('p', { className: 'notice notice-error', text: `总部没有这个码的事件: ${maskIdentifier(code)} (no events for this code)` })); return; }
      const dd = (label: string, value: string): HTMLElement[] => [el('dt', { text: label }), el('dd', { text: value })];
      const last = state.lastEvent;
      out.replaceChildren(el('dl', { className: 'hq-state' },
        ...dd('码 (code)', maskIdentifier(state.epc)),
        ...dd('赋码工位 (commissioned by)', state.commissioned === null ? '未赋码 (never commissioned)' : state.commissioned.site === null ? '未知站点' : maskIdentifier(state.commissioned.site)),
        ...dd('事件数 (events)', String(state.eventCount)),
        ...dd('最后事件 (last event)', last === null ? '—' : `${last.bizStep ?? last.type} ${last.action ?? ''} · ${last.eventTime}`),
        ...dd('上级 (parents)', state.parents.length === 0 ? '—' : state.parents.map(maskIdentifier).join(' ⊂ ')),
        ...dd(`下级 (children): ${state.children.length}`, state.children.length === 0 ? '—' : state.children.map(maskIdentifier).join('\n'))));
    } catch (error) {
      if (error instanceof Unauthorized) { showToken(error.message); return; }
      out.replaceChildren(el('p', { className: 'notice notice-error', text: (error as Error).message }));
    }
  };
  go.addEventListener('click', () => { void run(); });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') void run(); });
  return el('section', { className: 'panel', testid: 'hq-lookup' }, el('h2', { text: '查码 (code lookup)' }), el('div', { className: 'hq-lookup' }, input, go), out);
}

let lookup: HTMLElement | null = null;

function render(o: Overview): void {
  const rate = previous !== null && o.now > previous.at ? Math.max(0, (o.events - previous.events) / ((o.now - previous.at) / 1000)) : null;
  previous = { at: o.now, events: o.events };
  lookup ??= lookupPanel();
  const stat = (value: string, label: string, testid: string): HTMLElement => el('div', { className: 'counter', testid }, el('div', { className: 'counter-value', text: value }), el('div', { className: 'counter-label', text: label }));
  app.replaceChildren(
    el('header', { className: 'top hq-top' }, el('span', { className: 'brand', text: '五码 wuma · 总部' }), el('span', { className: 'hq-badge', text: `存储 (storage): ${o.storage}` }),
      el('span', { className: 'who', text: `更新于 ${time(o.now)}` })),
    el('main', { className: 'screen' },
      el('div', { className: 'hq-stats' },
        stat(o.events.toLocaleString('zh-CN'), '事件总数 (events)', 'hq-events'),
        stat(rate === null ? '—' : Math.round(rate).toLocaleString('zh-CN'), '事件/秒 (events/s)', 'hq-rate'),
        stat(String(o.conflicts.length), '未处理冲突 (conflicts)', 'hq-conflict-count')),
      el('div', { className: 'hq-grid' }, el('div', {}, sitesPanel(o), lookup), conflictsPanel(o))));
}

async function refresh(): Promise<void> {
  if (timer !== undefined) clearTimeout(timer);
  try {
    const o = await getJson<Overview>('/hq/overview');
    if (o !== null) render(o);
    timer = window.setTimeout(() => { void refresh(); }, REFRESH_MS);
  } catch (error) {
    if (error instanceof Unauthorized) { showToken(token.length > 0 ? error.message : null); return; }
    app.replaceChildren(el('div', { className: 'notice notice-error', text: `无法连接总部接收端：${(error as Error).message}。将自动重试 (cannot reach the receiver; retrying)` }));
    timer = window.setTimeout(() => { void refresh(); }, REFRESH_MS);
  }
}

const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
if (fromHash !== null) {
  token = decodeURIComponent(fromHash[1] ?? '');
  sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(null, '', location.pathname);
}
void refresh();
