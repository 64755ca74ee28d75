import { h } from '../dom.ts';
import { formatDateTime, t, tOr } from '../i18n.ts';

/** The parts of a code lookup (edge/store/query.ts CodeHistory) the QA screen shows; secret codes come masked. */
export interface CodeNode { readonly code: string; readonly kind: string; readonly status: string; readonly batchId: number | null }
export interface HistoryShape {
  readonly code: CodeNode;
  readonly pair: CodeNode | null;
  readonly ancestors: readonly CodeNode[];
  readonly container: { readonly level: string; readonly state: string; readonly childCount: number } | null;
  readonly children: readonly CodeNode[];
  readonly palletStack: { readonly id: number; readonly state: string } | null;
  readonly rejects: readonly { readonly id: number; readonly at: string; readonly station: string; readonly findings: readonly { readonly reason: string; readonly code?: string; readonly detail: string }[]; readonly reworked: boolean }[];
  readonly audit: readonly { readonly seq: number; readonly at: string; readonly actor: string; readonly action: string; readonly reason: string | null }[];
}

export function asHistory(v: unknown): HistoryShape | null {
  const o = v as Partial<HistoryShape> | null;
  if (o === null || typeof o !== 'object' || o.code === undefined) return null;
  return {
    code: o.code, pair: o.pair ?? null, ancestors: o.ancestors ?? [], container: o.container ?? null, children: o.children ?? [],
    palletStack: o.palletStack ?? null, rejects: o.rejects ?? [], audit: o.audit ?? [],
  };
}

function nodeLabel(n: CodeNode, self: boolean): HTMLElement {
  return h('span', { class: `node${self ? ' node-self' : ''} status-${n.status}`, 'data-testid': self ? 'tree-self' : 'tree-node' },
    h('span', { class: 'node-kind' }, tOr(`kind.${n.kind}`, n.kind)),
    h('span', { class: 'node-code' }, n.code),
    h('span', { class: 'node-status' }, tOr(`status.${n.status}`, n.status)),
  );
}

/**
 * Where the code sits: its ancestors from the top (pallet) down, the code itself (with its inner/outer pair),
 * and its children. Nested lists, so the indentation is the hierarchy.
 */
export function codeTree(hist: HistoryShape): HTMLElement {
  const self = h('li', {}, nodeLabel(hist.code, true),
    hist.pair === null ? null : h('div', { class: 'node-pair' }, t('qa.pair'), ' ', nodeLabel(hist.pair, false)),
    hist.children.length === 0 ? null : h('ul', { class: 'tree' }, ...hist.children.map((c) => h('li', {}, nodeLabel(c, false)))));
  let inner: HTMLElement = h('ul', { class: 'tree' }, self);
  for (const a of hist.ancestors) inner = h('ul', { class: 'tree' }, h('li', {}, nodeLabel(a, false), inner));
  const stack = hist.palletStack === null ? null : h('p', { class: 'note' }, t('qa.onStack', { id: hist.palletStack.id, state: hist.palletStack.state }));
  return h('div', { class: 'tree-root', 'data-testid': 'code-tree' }, inner, stack);
}

export function historyTable(hist: HistoryShape): HTMLElement {
  if (hist.audit.length === 0) return h('p', { class: 'empty' }, t('qa.noHistory'));
  return h('table', { class: 'table', 'data-testid': 'code-history' },
    h('thead', {}, h('tr', {}, h('th', {}, t('qa.when')), h('th', {}, t('qa.action')), h('th', {}, t('qa.who')), h('th', {}, t('qa.reason')))),
    h('tbody', {}, ...hist.audit.map((a) => h('tr', {},
      h('td', {}, formatDateTime(a.at)), h('td', {}, tOr(`action.${a.action}`, a.action)), h('td', {}, a.actor), h('td', {}, a.reason === null ? '—' : tOr(`reason.${a.reason}`, a.reason))))));
}
