import type { AppVersions, EdgeStatus, WumaBridge } from '../../shared/ipc-channels.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../errors.ts';
import { t } from '../i18n.ts';
import type { ScreenContext } from '../screen.ts';

/**
 * The desktop app's own controls for IT (only inside the shell, where preload exposes `window.wuma`): the edge
 * process status as the shell's supervisor pushes it, restart the service (asked once more first: the line
 * stops while edge restarts; main reloads this page when edge is back), and kiosk mode off / on for
 * maintenance. Each control calls one bridge operation; main checks the sender of every call.
 */
export function shellPanel(ctx: ScreenContext, bridge: WumaBridge): { readonly root: HTMLElement; dispose(): void } {
  const status = h('span', { class: 'pill', 'data-testid': 'shell-edge-status' }, t('common.loading'));
  const version = h('span', { class: 'sub', 'data-testid': 'shell-version' });
  const kioskState = h('span', { class: 'sub', 'data-testid': 'shell-kiosk-state', 'aria-live': 'polite' });
  const confirmBox = h('div', { class: 'shell-confirm', 'data-testid': 'shell-restart-confirm-box', role: 'alertdialog', hidden: true });
  let disposed = false;
  let pushed = false;

  const guard = async (what: () => Promise<void>): Promise<void> => {
    try { await what(); } catch (err) { if (!disposed) ctx.notify('error', describeError(err)); }
  };

  // The restart button is off while it is being confirmed and while the request is on its way.
  const restart = h('button', {
    class: 'btn btn-danger', 'data-testid': 'shell-restart',
    onclick: () => { confirmBox.hidden = false; restart.disabled = true; confirmYes.focus(); },
  }, t('it.shell.restart'));
  const cancel = (): void => { confirmBox.hidden = true; restart.disabled = false; };
  const confirmYes = h('button', {
    class: 'btn btn-danger', 'data-testid': 'shell-restart-confirm',
    onclick: () => {
      confirmBox.hidden = true;
      void guard(async () => {
        try {
          const r = await bridge.restartEdge();
          if (disposed) return;
          if (r.kind === 'restarting') ctx.notify('ok', t('it.shell.restarting'));
          else ctx.notify('error', t('it.shell.notSupervised'));
        } finally {
          restart.disabled = false;
        }
      });
    },
  }, t('it.shell.restartYes'));
  replace(confirmBox,
    h('p', {}, t('it.shell.restartConfirm')),
    h('div', { class: 'dialog-buttons' },
      h('button', { class: 'btn btn-ghost', 'data-testid': 'shell-restart-cancel', onclick: cancel }, t('common.cancel')),
      confirmYes));

  const kiosk = (on: boolean): void => {
    void guard(async () => {
      const now = await bridge.setKiosk(on);
      if (!disposed) replace(kioskState, now ? t('it.shell.kiosk.on') : t('it.shell.kiosk.off'));
    });
  };

  const showStatus = (s: EdgeStatus): void => {
    status.className = `pill ${s.kind === 'running' ? 'pill-ok' : s.kind === 'backoff' || s.kind === 'stopped' ? 'pill-bad' : ''}`;
    replace(status, describeStatus(s));
    // An edge the shell did not start (`--attach`) cannot be restarted from here: say so instead of offering it.
    restart.hidden = s.kind === 'external';
  };
  const unsubscribe = bridge.onEdgeStatus((s) => { pushed = true; if (!disposed) showStatus(s); });
  void guard(async () => {
    const s = await bridge.getEdgeStatus();
    // A push that arrived meanwhile is newer than this answer.
    if (!disposed && !pushed) showStatus(s);
  });
  void guard(async () => {
    const v = await bridge.getVersion();
    if (!disposed) replace(version, describeVersion(v));
  });

  const root = h('section', { class: 'panel', 'data-testid': 'shell-panel' },
    h('h2', {}, t('it.shell.title')),
    h('div', { class: 'sync-counts' }, h('span', { class: 'sub' }, t('it.shell.edge')), status, version),
    h('div', { class: 'dialog-buttons' }, restart,
      h('button', { class: 'btn', 'data-testid': 'shell-kiosk-off', onclick: () => { kiosk(false); } }, t('it.shell.kioskOff')),
      h('button', { class: 'btn', 'data-testid': 'shell-kiosk-on', onclick: () => { kiosk(true); } }, t('it.shell.kioskOn')),
      kioskState),
    confirmBox,
    h('p', { class: 'hint' }, t('it.shell.hint')),
  );
  return { root, dispose(): void { disposed = true; unsubscribe(); } };
}

function describeStatus(s: EdgeStatus): string {
  switch (s.kind) {
    case 'starting': return t('it.shell.status.starting', { pid: s.pid ?? '—' });
    case 'running': return t('it.shell.status.running', { pid: s.pid ?? '—', restarts: s.restarts });
    case 'backoff': return t('it.shell.status.backoff', { exit: s.lastExit, seconds: Math.ceil(s.retryInMs / 1000), restarts: s.restarts });
    case 'stopped': return t('it.shell.status.stopped', { restarts: s.restarts });
    case 'external': return t('it.shell.status.external');
  }
}

function describeVersion(v: AppVersions): string {
  return t('it.shell.version', { app: v.app, electron: v.electron, chrome: v.chrome, node: v.node });
}
