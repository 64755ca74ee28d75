import { h, replace } from './dom.ts';
import { pairingScreen, type PairingStatusView } from './screens/pairing.ts';

/**
 * The pairing station's page (pairing.html): the launch token from `?token=` (kept in sessionStorage, removed
 * from the address bar), then the status polled twice a second and drawn by the pairing screen.
 */
const app = document.getElementById('app') as HTMLElement;
const params = new URLSearchParams(location.search);
const fromUrl = params.get('token');
if (fromUrl !== null) {
  sessionStorage.setItem('wuma-pairing-token', fromUrl);
  history.replaceState(null, '', location.pathname);
}
const token = sessionStorage.getItem('wuma-pairing-token') ?? '';
const screen = pairingScreen();
const notice = h('div', { class: 'notice notice-error', role: 'status', 'data-testid': 'notice', hidden: true });
replace(app, notice, screen.root);

async function poll(): Promise<void> {
  try {
    const res = await fetch('/api/pairing/status', { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(res.status === 401 ? '令牌无效，请用启动时给出的链接打开 (invalid token: open the link printed at start)' : `状态读取失败 HTTP ${res.status} (status failed)`);
    screen.update(await res.json() as PairingStatusView);
    notice.hidden = true;
  } catch (error) {
    notice.textContent = error instanceof Error ? error.message : String(error);
    notice.hidden = false;
  }
  setTimeout(() => { void poll(); }, 500);
}
void poll();
