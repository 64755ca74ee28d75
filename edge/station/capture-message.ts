import type { ManualCaptureEvent } from '../aggregation/manual-capture-machine.ts';
import type { CaptureEnd, CaptureStep } from './capture-runner.ts';

const CONTROL_DONE: Readonly<Record<ManualCaptureEvent, string>> = {
  'to-case': '已切换到装箱 (case level)',
  'to-pallet': '已切换到组垛 (pallet level)',
  'end-pallet': '结束本垛，请扫垛码 (pallet ended; scan the pallet label)',
  clear: '已清除 (cleared)',
  child: '', full: '', case: '', committed: '', quit: '',
};

/**
 * What one manual-capture scan did, as one sentence for the operator (Chinese first, English in parentheses), for
 * the CLI's text output and the API's outcome alike. Codes in a step are already masked where secret.
 */
export function captureMessage(step: CaptureStep): string {
  switch (step.kind) {
    case 'ignored': return '';
    case 'refused': return `拒收 (refused)${step.shown === null ? '' : ` ${step.shown}`}：${step.detail}`;
    case 'child-added': return `已扫 ${step.shown} (${step.have}/${step.need})`;
    case 'control': return step.dropped > 0 ? `已放弃本箱 ${step.dropped} 个码，未提交 (half case dropped, nothing committed)` : CONTROL_DONE[step.event];
    case 'case-committed': return `装箱成功 (case committed)：箱码 ${step.caseCode}，${step.children} 个`;
    case 'stacked': return `箱 ${step.caseCode} 已上垛 (stacked) ${step.cases}/${step.need}`;
    case 'pallet-committed': return `组垛成功 (pallet committed)：垛码 ${step.palletCode}，${step.cases} 箱${step.short ? '（未满垛 short）' : ''}`;
  }
}

/** The end of a session in one sentence: what was dropped, what was parked, and the tally. */
export function captureEndMessage(end: CaptureEnd): string {
  const t = end.tally;
  return [
    end.halfCaseDropped > 0 ? `本箱已扫 ${end.halfCaseDropped} 个码，未提交 (half case of ${end.halfCaseDropped} codes not committed)` : null,
    end.parkedStack !== null ? `垛 #${end.parkedStack} 已暂存，可在组垛工位恢复 (pallet stack #${end.parkedStack} parked)` : null,
    `人工采集结束 (manual capture ended)：装箱 ${t.cases}，组垛 ${t.pallets}，拒收 ${t.refused}`,
  ].filter((l) => l !== null).join('\n');
}
