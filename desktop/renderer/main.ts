import type { PushMessage, SessionInfo } from '../../edge/api/contract.ts';
import { ApiCallError, call } from './api.ts';
import { unlockAudio } from './beep.ts';
import { h, replace } from './dom.ts';
import { describeError } from './errors.ts';
import { LOCALES, loadLocale, locale, onLocaleChange, savedLocale, setLocale, t } from './i18n.ts';
import { LiveFeed, type LiveState } from './live.ts';
import { itScreen } from './screens/it.ts';
import { loginScreen } from './screens/login.ts';
import { operatorScreen } from './screens/operator.ts';
import { qaScreen } from './screens/qa.ts';
import { traceScreen } from './screens/trace.ts';
import type { Screen, ScreenContext, ScreenName } from './screen.ts';

/**
 * The shell: login, then a header (user, connection, screens this role may use, language, log out) over one
 * screen. The push feed runs while someone is logged in and is handed to the screen shown.
 */
const app = document.getElementById('app') as HTMLElement;
let session: SessionInfo | null = null;
let screen: Screen | null = null;
let screenName: ScreenName = 'operator';
let feed: LiveFeed | null = null;
let liveState: LiveState = 'connecting';
let loginNotice: string | null = null;
const notice = h('div', { class: 'notice', role: 'status', 'data-testid': 'notice', hidden: true });
let noticeTimer: ReturnType<typeof setTimeout> | null = null;

function notify(kind: 'ok' | 'error', text: string): void {
  notice.textContent = text;
  notice.className = `notice notice-${kind}`;
  notice.hidden = false;
  if (noticeTimer !== null) clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.hidden = true; }, kind === 'error' ? 15_000 : 5_000);
}

/** Which screens a role works in: operators run the line, QA reworks, IT looks after devices, codes and sync. */
function screensFor(s: SessionInfo): ScreenName[] {
  switch (s.user.role) {
    case 'operator': return ['operator'];
    // 渠道稽查 (issue 13 §4): QA traces codes found in the market; warehouse staff and IT do not.
    case 'qa': return ['qa', 'trace', 'operator'];
    case 'it': return ['it', 'operator'];
    case 'admin': return ['operator', 'qa', 'trace', 'it'];
    // Warehouse staff work on the PDA page (/pda/); on this UI they see the line.
    case 'warehouse': return ['operator'];
  }
}

function languageSwitch(): HTMLElement {
  const other = LOCALES.find((l) => l !== locale()) ?? 'zh-CN';
  return h('button', {
    class: 'btn btn-ghost lang', 'data-testid': 'lang-switch', lang: other,
    onclick: () => { void setLocale(other).catch((err: unknown) => notify('error', describeError(err))); },
  }, t(`lang.${other}`));
}

function render(): void {
  screen?.dispose?.();
  screen = null;
  if (session === null) {
    feed?.close();
    feed = null;
    screen = loginScreen({
      notice: loginNotice,
      languageSwitch,
      onLogin: (s) => { unlockAudio(); loginNotice = null; session = s; screenName = screensFor(s)[0] ?? 'operator'; startFeed(); render(); },
    });
    replace(app, notice, screen.root);
    return;
  }
  const s = session;
  const ctx: ScreenContext = { session: s, notify, may: (p) => s.permissions.includes(p) };
  const names = screensFor(s);
  const tabs = h('nav', { class: 'tabs' }, ...names.map((n) => h('button', {
    class: `btn tab${n === screenName ? ' tab-active' : ''}`, 'data-testid': `tab-${n}`, 'aria-current': n === screenName ? 'page' : null,
    onclick: () => { screenName = n; render(); },
  }, t(`screen.${n}`))));
  const header = h('header', { class: 'top' },
    h('div', { class: 'brand' }, t('app.title')),
    tabs,
    h('div', { class: `live live-${liveState}`, 'data-testid': 'live-state' }, t(`live.${liveState}`)),
    h('div', { class: 'who', 'data-testid': 'who' }, `${s.user.name} · ${t(`role.${s.user.role}`)}`),
    languageSwitch(),
    h('button', { class: 'btn btn-ghost', 'data-testid': 'logout', onclick: () => { void logout(); } }, t('login.logout')),
  );
  const shown = screenName === 'qa' ? qaScreen(ctx) : screenName === 'trace' ? traceScreen(ctx) : screenName === 'it' ? itScreen(ctx) : operatorScreen(ctx);
  screen = shown;
  replace(app, header, notice, h('main', { class: `screen screen-${screenName}`, 'data-screen': screenName }, shown.root));
}

function startFeed(): void {
  feed?.close();
  feed = new LiveFeed(onPush, (state) => {
    liveState = state;
    const el = document.querySelector('[data-testid="live-state"]');
    if (el !== null) { el.className = `live live-${state}`; el.textContent = t(`live.${state}`); }
  });
}

function onPush(m: PushMessage): void {
  if (m.type === 'session') {
    loginNotice = m.event === 'expired' ? t('login.expired') : t('login.loggedOut');
    session = null;
    render();
    return;
  }
  screen?.onPush?.(m);
}

async function logout(): Promise<void> {
  try { await call('logout'); } catch { /* the session may already be gone: log out locally anyway */ }
  session = null;
  loginNotice = null;
  render();
}

async function boot(): Promise<void> {
  await loadLocale(savedLocale());
  onLocaleChange(render);
  try {
    session = await call('me');
    screenName = screensFor(session)[0] ?? 'operator';
    startFeed();
  } catch (err) {
    session = null;
    if (err instanceof ApiCallError && err.code === 'SESSION_EXPIRED') loginNotice = t('login.expired');
    else if (err instanceof ApiCallError && err.code === 'UNAUTHORIZED') loginNotice = t('login.noToken');
  }
  render();
}

void boot().catch((err: unknown) => {
  replace(app, h('p', { class: 'fatal' }, err instanceof Error ? err.message : String(err)));
});
