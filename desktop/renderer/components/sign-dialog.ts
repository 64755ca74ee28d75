import { h } from '../dom.ts';
import { t } from '../i18n.ts';

export interface Signature { readonly pin: string; readonly reason: string }

/**
 * The signature prompt of a signed action (21 CFR 11.200): a reason (common ones one tap away, or typed) and the
 * user's PIN again. Resolves null when cancelled. `extra` holds the action's own fields, already laid out.
 * `askPin: false` makes it a reason prompt only (an action that needs a reason but no signature, such as ending a
 * short pallet); the PIN then comes back empty.
 */
export function signDialog(opts: {
  readonly title: string;
  readonly reasons: readonly string[];
  readonly extra?: HTMLElement;
  readonly confirmLabel: string;
  readonly validate?: () => string | null;
  readonly askPin?: boolean;
}): Promise<Signature | null> {
  const askPin = opts.askPin ?? true;
  return new Promise((resolve) => {
    const reason = h('input', { class: 'field', 'data-testid': 'sign-reason', 'aria-label': t('sign.reason'), autocomplete: 'off' });
    const pin = h('input', { class: 'field', type: 'password', inputmode: 'numeric', 'data-testid': 'sign-pin', 'aria-label': t('sign.pin'), autocomplete: 'off' });
    const error = h('div', { class: 'dialog-error', role: 'alert', 'data-testid': 'sign-error' });
    const chips = h('div', { class: 'chips' }, ...opts.reasons.map((r) => h('button', {
      type: 'button', class: 'btn chip', onclick: () => { reason.value = r; pin.focus(); },
    }, r)));
    const dialog = h('dialog', { class: 'dialog', 'data-testid': 'sign-dialog' });
    const close = (value: Signature | null): void => { dialog.close(); dialog.remove(); resolve(value); };
    const form = h('form', { method: 'dialog', class: 'dialog-form' },
      h('h2', { class: 'dialog-title' }, opts.title),
      opts.extra ?? null,
      h('label', { class: 'field-label' }, t('sign.reason'), chips, reason),
      askPin ? h('label', { class: 'field-label' }, t('sign.pin'), pin) : null,
      error,
      h('div', { class: 'dialog-buttons' },
        h('button', { type: 'button', class: 'btn btn-ghost btn-big', 'data-testid': 'sign-cancel', onclick: () => close(null) }, t('common.cancel')),
        h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'sign-confirm' }, opts.confirmLabel),
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const problem = opts.validate?.() ?? null;
      if (problem !== null) { error.textContent = problem; return; }
      if (reason.value.trim() === '') { error.textContent = t('sign.needReason'); reason.focus(); return; }
      if (askPin && pin.value === '') { error.textContent = t('sign.needPin'); pin.focus(); return; }
      close({ pin: askPin ? pin.value : '', reason: reason.value.trim() });
    });
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(null); });
    dialog.append(form);
    document.body.append(dialog);
    dialog.showModal();
    (dialog.querySelector('input') as HTMLInputElement | null)?.focus();
  });
}
