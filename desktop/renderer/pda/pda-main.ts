import { ApiCallError, ApiClient } from '../../../edge/api/client.ts';
import type { SessionInfo } from '../../../edge/api/contract.ts';
import { unlockAudio } from '../beep.ts';
import { h, replace } from '../dom.ts';
import { keepFocus, scanInput } from '../scan-input.ts';
import { orderScreen } from './order-screen.ts';
import { orderPicker } from './order-picker.ts';
import { describe, type PdaContext } from './pda-context.ts';

/**
 * The warehouse PDA page (issue 13 §5), served by edge at `/pda/` over the LAN with TLS. A PDA opens it once from
 * the pairing QR (the server keeps the device token as a cookie), then every shift: scan the badge → scan the
 * dispatch sheet's order barcode (or tap the order) → scan cases and pallets. The scanner is a keyboard wedge: the
 * one scan field always has the focus. Strings are Chinese with the English in parentheses, like the pairing
 * station's screen (the PDA has no language switch).
 */
const app = document.getElementById('app') as HTMLElement;
const client = new ApiClient();
const notice = h('div', { class: 'notice', role: 'status', 'data-testid': 'notice', hidden: true });
let noticeTimer: ReturnType<typeof setTimeout> | null = null;
let dispose: (() => void) | null = null;

function notify(kind: 'ok' | 'error', text: string): void {
  notice.textContent = text;
  notice.className = `notice notice-${kind}`;
  notice.hidden = false;
  if (noticeTimer !== null) clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.hidden = true; }, kind === 'error' ? 12_000 : 4_000);
}

function mount(session: SessionInfo | null, ...children: HTMLElement[]): void {
  dispose?.();
  dispose = null;
  const top = h('header', { class: 'pda-top' },
    h('div', { class: 'brand' }, '五码 · 出库'),
    h('div', { class: 'pda-who', 'data-testid': 'who' }, session === null ? '' : `${session.user.name} · ${session.user.roleZh}`),
    session === null ? null : h('button', { class: 'btn btn-ghost', 'data-testid': 'logout', onclick: () => { void logout(); } }, '退出'));
  replace(app, top, notice, h('main', { class: 'pda-main' }, ...children));
}

function showUnpaired(message: string): void {
  mount(null, h('section', { class: 'pda-unpaired', 'data-testid': 'unpaired' },
    h('h1', {}, '本设备未配对 (not paired)'),
    h('p', {}, '请信息部在电脑的“信息部”界面为这台 PDA 生成配对二维码，用本机扫描打开。(Ask IT to make a pairing QR for this PDA on the IT screen and open it here.)'),
    h('p', { class: 'pda-sub' }, message)));
}

function showLogin(message = ''): void {
  const msg = h('div', { class: 'login-message', role: 'alert', 'data-testid': 'login-message' }, message);
  let busy = false;
  const badge = scanInput({
    label: '扫描工卡 (scan your badge)', placeholder: '工卡 (badge)', testId: 'badge-input', secret: true,
    onScan: (value) => {
      if (busy) return;
      busy = true;
      unlockAudio();
      msg.className = 'login-message';
      replace(msg, '正在核对… (checking…)');
      client.call('login', { body: { method: 'badge', badge: value } }).then(showOrders, (err: unknown) => {
        msg.className = 'login-message login-error';
        replace(msg, err instanceof ApiCallError && err.code === 'AUTH_FAILED' ? '工卡不正确，请重扫 (unknown badge; scan again)' : describe(err));
      }).finally(() => { busy = false; });
    },
  });
  mount(null, h('section', { class: 'login', 'data-screen': 'pda-login' },
    h('h1', { class: 'pda-title' }, '出库扫码 (dispatch)'),
    h('p', { class: 'pda-sub' }, '请扫描工卡登录 (scan your badge to log in)'), badge.root, msg));
  dispose = keepFocus(badge.input);
  setTimeout(() => { badge.focus(); }, 0);
}

function context(session: SessionInfo): PdaContext {
  return { client, session, notify, openOrder: (id) => { showOrder(session, id); }, backToOrders: () => { showOrders(session); }, sessionLost: onSessionLost };
}

function showOrders(session: SessionInfo): void {
  const picker = orderPicker(context(session));
  mount(session, picker.root);
  dispose = picker.dispose;
}

function showOrder(session: SessionInfo, orderId: string): void {
  const screen = orderScreen(context(session), orderId);
  mount(session, screen.root);
  dispose = screen.dispose;
}

function onSessionLost(err: unknown): void {
  if (err instanceof ApiCallError && err.code === 'UNAUTHORIZED') { showUnpaired(err.message); return; }
  showLogin(err instanceof ApiCallError && err.code === 'SESSION_EXPIRED' ? '长时间未操作，已自动退出，请重新扫工卡 (logged out after inactivity)' : '');
}

async function logout(): Promise<void> {
  try { await client.call('logout'); } catch { /* already gone: log out here anyway */ }
  showLogin();
}

async function boot(): Promise<void> {
  try {
    showOrders(await client.call('me'));
  } catch (err) {
    if (err instanceof ApiCallError && err.code === 'UNAUTHORIZED') showUnpaired(err.message);
    else showLogin(err instanceof ApiCallError && err.code === 'SESSION_EXPIRED' ? '长时间未操作，已自动退出 (logged out after inactivity)' : '');
  }
}

void boot();
