import { h } from './dom.ts';

/**
 * An input for a scan gun (a keyboard that types fast and ends with Enter) that a person can also type into.
 * It keeps the focus while its screen shows (a tap elsewhere returns it, unless the tap went into another
 * field), submits on Enter, and clears itself after each scan so the next scan starts fresh.
 */
export function scanInput(opts: {
  readonly label: string;
  readonly placeholder: string;
  readonly testId: string;
  readonly secret?: boolean;
  readonly onScan: (value: string) => void;
}): { readonly root: HTMLElement; readonly input: HTMLInputElement; focus(): void } {
  const input = h('input', {
    type: opts.secret === true ? 'password' : 'text', class: 'scan-input', 'data-testid': opts.testId, placeholder: opts.placeholder,
    autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', 'aria-label': opts.label, enterkeyhint: 'go',
  });
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const value = input.value.trim();
    input.value = '';
    if (value !== '') opts.onScan(value);
  });
  const root = h('label', { class: 'scan' }, h('span', { class: 'scan-label' }, opts.label), input);
  return { root, input, focus: () => input.focus() };
}

/** Returns the focus to `input` after taps on non-field parts of the page; the returned function stops it. */
export function keepFocus(input: HTMLInputElement): () => void {
  const onUp = (e: Event): void => {
    const target = e.target as HTMLElement | null;
    if (target === null || target.closest('input, select, textarea, button, dialog, [data-keep-focus="no"]') !== null) return;
    if (input.isConnected) input.focus();
  };
  document.addEventListener('pointerup', onUp);
  return () => document.removeEventListener('pointerup', onUp);
}
