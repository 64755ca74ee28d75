import type { BatchView, CaptureOutcomeView, CaptureView, PushMessage } from '../../../edge/api/contract.ts';
import { call } from '../api.ts';
import { beep } from '../beep.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../errors.ts';
import { formatNumber, formatTime, t, tOr } from '../i18n.ts';
import { keepFocus, scanInput } from '../scan-input.ts';
import type { ScreenContext } from '../screen.ts';

export interface CapturePanel {
  readonly root: HTMLElement;
  onPush(message: PushMessage): void;
  dispose(): void;
}

/** The control scans of the station's control card, as buttons (the handheld can scan the card instead). */
const CONTROLS = [
  { key: 'case', scan: '#CASE', testId: 'capture-ctl-case' },
  { key: 'pallet', scan: '#PALLET', testId: 'capture-ctl-pallet' },
  { key: 'end', scan: '#END', testId: 'capture-ctl-end' },
  { key: 'clear', scan: '#CLEAR', testId: 'capture-ctl-clear' },
] as const;

/** Which control makes sense in which step (the server refuses the others with its reason anyway). */
function controlEnabled(key: (typeof CONTROLS)[number]['key'], v: CaptureView): boolean {
  switch (key) {
    case 'case': return v.state === 'pallet-cases' && v.cases.length === 0;
    case 'pallet': return v.state === 'case-children' && v.children.length === 0;
    case 'end': return v.state === 'pallet-cases' && v.cases.length > 0;
    case 'clear': return v.state !== 'ended';
  }
}

/** What to scan next, said big: the words, and the count so far (`7 / 12`) where there is one. */
function promptParts(v: CaptureView): { text: string; count: string | null; note: string | null } {
  const p = v.prompt;
  switch (p.kind) {
    case 'children': return { text: t('capture.prompt.children', { what: tOr(`capture.child.${p.childKind}`, p.childKind) }), count: `${p.have} / ${p.need}`, note: null };
    case 'case-code': return { text: t('capture.prompt.caseCode'), count: `${p.children} / ${v.unitsPerCase}`, note: t('capture.prompt.caseCodeNote') };
    case 'case-codes': return { text: t('capture.prompt.caseCodes'), count: `${p.have} / ${p.need}`, note: t('capture.prompt.caseCodesNote') };
    case 'pallet-code': return { text: t('capture.prompt.palletCode'), count: `${p.cases} / ${p.need}`, note: p.short ? t('capture.prompt.short') : null };
    case 'ended': return { text: t('capture.prompt.ended'), count: null, note: null };
  }
}

/** A refusal's reason in words: a reject reason (重码, 码包外 …), a wrong step, or the store's error code. */
function reasonLabel(reason: string): string {
  return tOr(`reason.${reason}`, tOr(`error.${reason}`, reason));
}

/**
 * Manual capture (人工采集) for when the line camera is down, issue 4 §4: the operator scans each bottle of a case
 * with the handheld scanner (a keyboard ending in Enter), then the case code; at the pallet, case codes and the
 * pallet label. The panel says big what to scan next and how far the case or pallet is (7 / 12), lists the codes
 * of the half case (as the API shows them: inner codes masked), answers a bad scan with a red refusal naming the
 * reason and a beep, and offers the control card's actions as buttons. The session lives in edge (one per batch):
 * leaving with "back" keeps it for later, "end" drops a half case and parks a started pallet.
 */
export function capturePanel(ctx: ScreenContext, batch: BatchView, onLeave: () => void): CapturePanel {
  let view: CaptureView | null = null;
  let disposed = false;
  let ending = false;
  // Scans are sent one at a time, in the order the scanner typed them.
  let queue: Promise<void> = Promise.resolve();

  const promptText = h('div', { class: 'capture-prompt-text', 'data-testid': 'capture-prompt' });
  const promptCount = h('div', { class: 'capture-prompt-count', 'data-testid': 'capture-count' });
  const promptNote = h('div', { class: 'capture-prompt-note' });
  const last = h('div', { class: 'capture-last', 'data-testid': 'capture-last', 'aria-live': 'assertive' });
  const listTitle = h('h2', {});
  const list = h('ol', { class: 'capture-codes', 'data-testid': 'capture-codes' });
  const tally = h('div', { class: 'capture-tally', 'data-testid': 'capture-tally' });
  const controls = h('div', { class: 'capture-controls' });
  const scan = scanInput({ label: t('capture.scanLabel'), placeholder: t('capture.scanPlaceholder'), testId: 'capture-scan', onScan: (value) => { enqueue(value); } });
  const stopFocus = keepFocus(scan.input);

  const showOutcome = (o: CaptureOutcomeView | null): void => {
    if (o === null) { replace(last, h('div', { class: 'capture-hint' }, t('capture.hint'))); return; }
    if (o.kind === 'refused') {
      replace(last, h('div', { class: 'capture-refused', role: 'alert', 'data-testid': 'capture-refused', 'data-reason': o.reason },
        h('div', { class: 'capture-refused-head' }, '✗ ', t('capture.refused'), ' · ', reasonLabel(o.reason)),
        h('div', { class: 'capture-message' }, o.message),
        h('div', { class: 'capture-time' }, formatTime(o.at))));
      return;
    }
    replace(last, h('div', { class: `capture-ok capture-${o.action}`, 'data-testid': 'capture-ok', 'data-action': o.action },
      h('div', { class: 'capture-message' }, '✓ ', o.message), h('div', { class: 'capture-time' }, formatTime(o.at))));
  };

  const draw = (v: CaptureView): void => {
    view = v;
    const p = promptParts(v);
    promptText.textContent = p.text;
    promptCount.textContent = p.count ?? '';
    promptNote.textContent = p.note ?? '';
    root.dataset['state'] = v.state;
    const onPallet = v.state.startsWith('pallet');
    listTitle.textContent = onPallet ? t('capture.palletCases', { n: v.cases.length }) : t('capture.halfCase', { n: v.children.length });
    const codes = onPallet ? v.cases : v.children;
    replace(list, ...codes.map((c, i) => h('li', { class: 'capture-code', 'data-testid': 'capture-code' }, h('span', { class: 'capture-code-n' }, `${i + 1}.`), h('span', { class: 'mono' }, c))));
    if (codes.length === 0) replace(list, h('li', { class: 'empty' }, t('capture.noCodes')));
    replace(tally,
      h('span', { class: 'pill', 'data-testid': 'capture-tally-cases', 'data-value': v.tally.cases }, t('capture.tally.cases', { n: formatNumber(v.tally.cases) })),
      h('span', { class: 'pill', 'data-testid': 'capture-tally-pallets', 'data-value': v.tally.pallets }, t('capture.tally.pallets', { n: formatNumber(v.tally.pallets) })),
      h('span', { class: 'pill pill-bad', 'data-testid': 'capture-tally-refused', 'data-value': v.tally.refused }, t('capture.tally.refused', { n: formatNumber(v.tally.refused) })),
    );
    replace(controls, ...CONTROLS.map((c) => h('button', {
      class: `btn btn-big${c.key === 'clear' ? ' btn-warn' : ''}`, 'data-testid': c.testId, disabled: !controlEnabled(c.key, v), title: c.scan,
      onclick: () => { enqueue(c.scan); scan.focus(); },
    }, t(`capture.ctl.${c.key}`))));
    showOutcome(v.last);
  };

  const send = async (value: string): Promise<void> => {
    if (disposed || ending) return;
    try {
      const r = await call('captureScan', { params: { batchId: batch.id }, body: { scan: value } });
      if (disposed) return;
      draw(r.capture);
      if (r.outcome.kind === 'refused') beep('reject');
    } catch (err) {
      ctx.notify('error', describeError(err));
    }
  };
  const enqueue = (value: string): void => { queue = queue.then(() => send(value)); };

  const end = async (): Promise<void> => {
    ending = true;
    await queue;
    try {
      const r = await call('endCapture', { params: { batchId: batch.id } });
      ctx.notify('ok', r.message);
      onLeave();
    } catch (err) {
      ending = false;
      ctx.notify('error', describeError(err));
    }
  };

  const root = h('section', { class: 'panel capture', 'data-testid': 'capture-panel' },
    h('div', { class: 'capture-head' },
      h('h2', {}, t('capture.title')),
      h('span', { class: 'batch-lot' }, t('batch.lotShort', { lot: batch.lot })),
      h('div', { class: 'capture-leave' },
        h('button', { class: 'btn btn-big btn-ghost', 'data-testid': 'capture-back', onclick: () => { onLeave(); } }, t('capture.back')),
        h('button', { class: 'btn btn-big btn-danger', 'data-testid': 'capture-end', onclick: () => { void end(); } }, t('capture.end')),
      ),
    ),
    h('div', { class: 'capture-prompt' }, promptText, promptCount, promptNote),
    scan.root,
    last,
    controls,
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, listTitle, list),
      h('section', { class: 'panel' }, h('h2', {}, t('capture.tally')), tally, h('p', { class: 'hint' }, t('capture.cardHint'))),
    ),
  );
  promptText.textContent = t('common.loading');

  // Join the batch's open session (another operator may have started it), else start one.
  void (async () => {
    try {
      const open = (await call('getCapture', { params: { batchId: batch.id } })).capture;
      const v = open ?? await call('startCapture', { params: { batchId: batch.id } });
      if (disposed) return;
      draw(v);
      scan.focus();
    } catch (err) {
      ctx.notify('error', describeError(err));
      if (!disposed) onLeave();
    }
  })();

  return {
    root,
    onPush(m) {
      if (m.type !== 'capture' || m.batchId !== batch.id || ending) return;
      if (m.capture !== null) { draw(m.capture); return; }
      // Ended elsewhere (another screen, or edge closing): say so and go back.
      if (view !== null) { ctx.notify('ok', t('capture.endedElsewhere')); onLeave(); }
    },
    dispose() {
      disposed = true;
      stopFocus();
    },
  };
}
