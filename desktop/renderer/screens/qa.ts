import type { ApiPermission, PushMessage, RejectView, ReworkBodies } from '../../../edge/api/contract.ts';
import { call } from '../api.ts';
import { asHistory, codeTree, historyTable, type HistoryShape } from '../components/code-tree.ts';
import { signDialog } from '../components/sign-dialog.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../errors.ts';
import { formatTime, t, tOr } from '../i18n.ts';
import { keepFocus, scanInput } from '../scan-input.ts';
import type { Screen, ScreenContext } from '../screen.ts';

type ReworkOp = keyof ReworkBodies;

interface FieldSpec {
  readonly name: string;
  /** A list of codes (one scan each) rather than one code. */
  readonly list?: boolean;
  /** Prefilled from the code on screen: the code itself, or its parent container. */
  readonly prefill?: 'code' | 'parent';
}

/** The rework actions of the station issue (issue 4 §4): the fields each needs, in scan order, and its permission. */
const REWORK: Readonly<Record<ReworkOp, { readonly permission: ApiPermission; readonly fields: readonly FieldSpec[] }>> = {
  reworkRemove: { permission: 'rework.remove', fields: [{ name: 'code', prefill: 'code' }] },
  reworkAdd: { permission: 'rework.add', fields: [{ name: 'container', prefill: 'code' }, { name: 'code' }] },
  reworkReplace: { permission: 'rework.replace', fields: [{ name: 'oldCode', prefill: 'code' }, { name: 'newCode' }] },
  reworkRelabel: { permission: 'rework.relabel', fields: [{ name: 'oldCode', prefill: 'code' }, { name: 'newCode' }] },
  reworkMove: { permission: 'rework.move', fields: [{ name: 'fromCase', prefill: 'code' }, { name: 'toCase' }] },
  reworkBreakPallet: { permission: 'rework.break-pallet', fields: [{ name: 'pallet', prefill: 'code' }] },
  reworkDestroy: { permission: 'rework.destroy', fields: [{ name: 'codes', list: true, prefill: 'code' }] },
  reworkSample: { permission: 'rework.sample', fields: [{ name: 'codes', list: true, prefill: 'code' }] },
  reworkRepack: { permission: 'rework.repack', fields: [{ name: 'caseCode', prefill: 'code' }, { name: 'codes', list: true }] },
};

/**
 * QA at the rework table: scan any code (the handheld is a keyboard ending in Enter) → why it was rejected, where
 * it sits (a tree), its history; then the rework actions, each with its codes (scanned, the current one
 * prefilled) and a signature (reason + PIN). Recent rejects not yet reworked are one tap away.
 */
export function qaScreen(ctx: ScreenContext): Screen {
  const result = h('div', { class: 'qa-result', 'data-testid': 'qa-result' });
  const rejectList = h('ol', { class: 'rejects', 'data-testid': 'qa-rejects' });
  let current: { readonly scanned: string; readonly hist: HistoryShape } | null = null;
  let disposed = false;

  const lookup = async (code: string): Promise<void> => {
    replace(result, h('p', { class: 'loading' }, t('common.loading')));
    try {
      const r = await call('queryCode', { body: { code } });
      if (disposed) return;
      const hist = r.found ? asHistory(r.history) : null;
      if (hist === null) {
        current = null;
        replace(result, h('div', { class: 'panel panel-error', 'data-testid': 'qa-unknown' }, t('qa.unknown', { code })));
        return;
      }
      current = { scanned: code, hist };
      drawResult();
    } catch (err) {
      replace(result, h('div', { class: 'panel panel-error' }, describeError(err)));
    }
  };

  const drawResult = (): void => {
    if (current === null) return;
    const { hist } = current;
    const why = hist.rejects.length === 0 ? h('p', { class: 'empty', 'data-testid': 'qa-no-reject' }, t('qa.notRejected'))
      : h('ul', { class: 'why', 'data-testid': 'qa-why' }, ...hist.rejects.map((r) => h('li', { class: 'why-item' },
        h('div', { class: 'why-head' }, formatTime(r.at), ' · ', t(`qa.station.${r.station === 'pallet' ? 'pallet' : 'case'}`),
          r.reworked ? h('span', { class: 'state state-done' }, t('qa.reworked')) : h('span', { class: 'state state-open' }, t('qa.notReworked'))),
        ...r.findings.map((f) => h('div', { class: 'finding', 'data-reason': f.reason },
          h('strong', { class: 'finding-reason' }, tOr(`reason.${f.reason}`, f.reason)), ' ', f.code ?? '', ' — ', f.detail,
          h('div', { class: 'finding-do' }, tOr(`reason.${f.reason}.action`, ''))),
        ))));
    const actions = (Object.keys(REWORK) as ReworkOp[]).filter((op) => ctx.may(REWORK[op].permission));
    replace(result,
      h('section', { class: 'panel' }, h('h2', {}, t('qa.why')), why),
      h('section', { class: 'panel' }, h('h2', {}, t('qa.where')), codeTree(hist)),
      h('section', { class: 'panel' }, h('h2', {}, t('qa.actions')),
        actions.length === 0 ? h('p', { class: 'empty' }, t('qa.noRights'))
          : h('div', { class: 'action-grid' }, ...actions.map((op) => h('button', {
            class: 'btn btn-big', 'data-testid': `rework-${op}`, onclick: () => { void rework(op); },
          }, t(`rework.${op}`))))),
      h('section', { class: 'panel' }, h('h2', {}, t('qa.history')), historyTable(hist)),
    );
  };

  const rework = async (op: ReworkOp): Promise<void> => {
    if (current === null) return;
    const spec = REWORK[op];
    const values = new Map<string, string[]>();
    const fields = h('div', { class: 'rework-fields' });
    for (const f of spec.fields) {
      const pre = f.prefill === 'code' ? current.scanned : f.prefill === 'parent' ? (current.hist.ancestors[0]?.code ?? '') : '';
      const list: string[] = pre === '' ? [] : [pre];
      values.set(f.name, list);
      const shown = h('ul', { class: 'code-list', 'data-testid': `field-${f.name}-list` }, ...list.map((c) => h('li', {}, c)));
      const input = h('input', { class: 'field', 'data-testid': `field-${f.name}`, autocomplete: 'off', 'aria-label': t(`field.${f.name}`) });
      input.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter') return;
        e.preventDefault();
        const v = input.value.trim();
        input.value = '';
        if (v === '') return;
        if (f.list === true) { if (!list.includes(v)) list.push(v); } else { list.splice(0, list.length, v); }
        replace(shown, ...list.map((c) => h('li', {}, c)));
        // Scan order: the next empty field, then the reason.
        input.dataset['empty'] = 'no';
        const next = fields.querySelector<HTMLInputElement>('input[data-empty="yes"]');
        (next ?? fields.closest('dialog')?.querySelector<HTMLInputElement>('[data-testid="sign-reason"]'))?.focus();
      });
      input.dataset['empty'] = list.length === 0 ? 'yes' : 'no';
      fields.append(h('label', { class: 'field-label' }, t(f.list === true ? 'field.listHint' : 'field.scanHint', { field: t(`field.${f.name}`) }), shown, input));
    }
    const sig = await signDialog({
      title: t(`rework.${op}`),
      extra: fields,
      reasons: [t('rework.reason.damaged'), t('rework.reason.missing'), t('rework.reason.misread'), t('rework.reason.sample')],
      confirmLabel: t('rework.confirm'),
      validate: () => spec.fields.some((f) => (values.get(f.name) ?? []).length === 0) ? t('rework.needCodes') : null,
    });
    if (sig === null) return;
    const body: Record<string, unknown> = { pin: sig.pin, reason: sig.reason };
    for (const f of spec.fields) {
      const v = values.get(f.name) ?? [];
      body[f.name] = f.list === true ? v : v[0];
    }
    try {
      // The body is built from the same field table the contract's ReworkBodies is keyed by.
      await call(op, { body: body as never });
      ctx.notify('ok', t('rework.done', { action: t(`rework.${op}`) }));
      await Promise.all([lookup(current.scanned), loadRejects()]);
    } catch (err) {
      ctx.notify('error', describeError(err));
    }
  };

  const loadRejects = async (): Promise<void> => {
    try {
      const r = await call('listRejects', { query: { limit: 20 } });
      if (disposed) return;
      drawRejects(r.rejects.filter((x) => !x.reworked));
    } catch (err) {
      ctx.notify('error', describeError(err));
    }
  };

  const drawRejects = (rs: readonly RejectView[]): void => {
    if (rs.length === 0) { replace(rejectList, h('li', { class: 'empty' }, t('qa.noOpenRejects'))); return; }
    replace(rejectList, ...rs.map((r) => {
      const code = r.read.caseCode ?? r.read.childCodes[0] ?? null;
      return h('li', { class: 'reject' },
        h('button', {
          class: 'btn btn-row', 'data-testid': 'qa-reject', disabled: code === null,
          onclick: () => { if (code !== null) void lookup(code); },
        },
        h('span', { class: 'read-time' }, formatTime(r.at)),
        h('span', { class: 'reject-reason' }, r.findings.map((f) => tOr(`reason.${f.reason}`, f.reason)).join(' · ')),
        h('span', { class: 'reject-what' }, code ?? t('op.noCaseCode'))));
    }));
  };

  const scan = scanInput({ label: t('qa.scan'), placeholder: t('qa.scanHint'), testId: 'qa-scan', onScan: (v) => { void lookup(v); } });
  const stopFocus = keepFocus(scan.input);
  const root = h('div', { class: 'qa' },
    h('div', { class: 'qa-top' }, scan.root),
    h('div', { class: 'qa-body' },
      h('div', { class: 'qa-main' }, result),
      h('aside', { class: 'panel qa-side' }, h('h2', {}, t('qa.openRejects')), rejectList)),
  );
  replace(result, h('p', { class: 'hint' }, t('qa.start')));
  setTimeout(() => scan.focus(), 0);
  void loadRejects();
  return {
    root,
    onPush(m: PushMessage): void { if (m.type === 'reject') void loadRejects(); },
    dispose(): void { disposed = true; stopFocus(); },
  };
}
