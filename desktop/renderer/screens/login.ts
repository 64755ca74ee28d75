import type { LoginBody, SessionInfo } from '../../../edge/api/contract.ts';
import { ApiCallError, call } from '../api.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../errors.ts';
import { formatTime, t } from '../i18n.ts';
import { keepFocus, scanInput } from '../scan-input.ts';
import type { Screen } from '../screen.ts';

/**
 * Login: the badge field has the focus, so an operator just scans the badge (the gun types it and presses
 * Enter). User + PIN is one tap away for someone without a badge. Errors say what to do; a locked account says
 * until when.
 */
export function loginScreen(opts: {
  readonly notice: string | null;
  readonly languageSwitch: () => HTMLElement;
  readonly onLogin: (session: SessionInfo) => void;
}): Screen {
  const message = h('div', { class: 'login-message', role: 'alert', 'data-testid': 'login-message' }, opts.notice ?? '');
  let busy = false;

  const attempt = async (body: LoginBody): Promise<void> => {
    if (busy) return;
    busy = true;
    message.className = 'login-message';
    replace(message, t('login.checking'));
    try {
      opts.onLogin(await call('login', { body }));
    } catch (err) {
      message.className = 'login-message login-error';
      replace(message, loginError(err));
    } finally {
      busy = false;
    }
  };

  const badge = scanInput({
    label: t('login.badge'), placeholder: t('login.badgeHint'), testId: 'badge-input', secret: true,
    onScan: (value) => { void attempt({ method: 'badge', badge: value }); },
  });
  const userId = h('input', { class: 'field', 'data-testid': 'user-input', autocomplete: 'username', 'aria-label': t('login.user') });
  const pin = h('input', { class: 'field', type: 'password', inputmode: 'numeric', 'data-testid': 'pin-input', autocomplete: 'current-password', 'aria-label': t('login.pin') });
  const pinForm = h('form', { class: 'pin-form', hidden: true, 'data-testid': 'pin-form' },
    h('label', { class: 'field-label' }, t('login.user'), userId),
    h('label', { class: 'field-label' }, t('login.pin'), pin),
    h('button', { class: 'btn btn-primary btn-big', type: 'submit', 'data-testid': 'pin-login' }, t('login.submit')),
  );
  pinForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void attempt({ method: 'pin', userId: userId.value.trim(), pin: pin.value }).then(() => { pin.value = ''; });
  });
  const toggle = h('button', {
    class: 'btn btn-ghost', 'data-testid': 'pin-toggle', type: 'button',
    onclick: () => {
      pinForm.hidden = !pinForm.hidden;
      badge.root.hidden = !pinForm.hidden;
      toggle.textContent = pinForm.hidden ? t('login.usePin') : t('login.useBadge');
      (pinForm.hidden ? badge.input : userId).focus();
    },
  }, t('login.usePin'));
  const stopFocus = keepFocus(badge.input);

  const root = h('section', { class: 'login', 'data-screen': 'login' },
    h('div', { class: 'login-top' }, opts.languageSwitch()),
    h('h1', { class: 'login-title' }, t('app.title')),
    h('p', { class: 'login-sub' }, t('login.prompt')),
    badge.root,
    pinForm,
    message,
    toggle,
  );
  setTimeout(() => badge.focus(), 0);
  return { root, dispose: stopFocus };
}

function loginError(err: unknown): string {
  if (!(err instanceof ApiCallError)) return describeError(err);
  const details = (err.details ?? {}) as { until?: unknown; retryAfterMs?: unknown; attemptsLeft?: unknown };
  switch (err.code) {
    case 'AUTH_FAILED':
      return typeof details.attemptsLeft === 'number' ? t('login.failedLeft', { n: details.attemptsLeft }) : t('login.failed');
    case 'LOCKED_OUT':
      return typeof details.until === 'string' ? t('login.lockedUntil', { time: formatTime(details.until) }) : t('login.locked');
    case 'LOGIN_THROTTLED':
      return t('login.throttled', { s: typeof details.retryAfterMs === 'number' ? Math.ceil(details.retryAfterMs / 1000) : 1 });
    default:
      return describeError(err);
  }
}
