import { h } from '../dom.ts';

/** A big progress bar with its numbers written out (`7 / 12`); `testId` names it for the tests. */
export function progressBar(label: string, value: number, max: number, testId: string, detail?: string): HTMLElement {
  const pct = max > 0 ? Math.max(0, Math.min(100, Math.round((value / max) * 100))) : 0;
  const fill = h('div', { class: 'bar-fill' });
  fill.style.width = `${pct}%`;
  return h('div', { class: 'progress', 'data-testid': testId, 'data-value': value, 'data-max': max },
    h('div', { class: 'progress-head' }, h('span', { class: 'progress-label' }, label), h('span', { class: 'progress-num' }, `${value} / ${max}`)),
    h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': max, 'aria-valuenow': value, 'aria-label': label }, fill),
    detail === undefined ? null : h('div', { class: 'progress-detail' }, detail),
  );
}
