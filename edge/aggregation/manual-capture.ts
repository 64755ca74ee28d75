import { CODE_KIND_LABEL_ZH, type CodeKind } from '../domain/kinds.ts';
import { displayCode } from '../domain/mask.ts';
import { checkCase, type CaseRules, type CodeFacts, type CodeLookup } from './check-case.ts';
import { manualCaptureMachine, type ManualCaptureEvent, type ManualCaptureState } from './manual-capture-machine.ts';
import type { RejectReason } from './reject-reason.ts';

/**
 * Manual capture when a camera is down (issue 4 §4): a handheld scanner feeds one code per scan, and the station
 * says which level to scan next — "scan 12 bottle codes (7 of 12)", then "scan the case code"; at the pallet
 * level "scan case codes", then "end pallet" and the pallet label. Pure: it decides in memory, the store commits
 * (edge/store/manual-capture-commit.ts), and only a successful commit makes the proposed session the current one.
 * Each scan is checked as it comes with the same rules as the automatic case station (checkCase), so a bad scan
 * is refused at once and the operator picks another item; the whole case is checked again when it is complete.
 */

export interface CaptureRules {
  readonly caseRules: CaseRules;
  readonly casesPerPallet: number;
}

export interface CaptureSession {
  readonly state: ManualCaptureState;
  /** Child codes of the half case, in scan order (memory only: a half case is never committed). */
  readonly children: readonly string[];
  /** Case codes on the pallet being built (the store keeps them on a pallet stack as they are scanned). */
  readonly cases: readonly string[];
  /** The operator ended the pallet below the ratio (a short pallet, 强制满垛). */
  readonly short: boolean;
}

export const NEW_SESSION: CaptureSession = { state: 'case-children', children: [], cases: [], short: false };

/**
 * Control scans: barcodes printed on the station's control card, so the operator never needs a keyboard.
 * Case-insensitive; `#` never occurs in a code (DESIGN §5 alphabets).
 */
export const CONTROL_SCANS: Readonly<Record<string, Extract<ManualCaptureEvent, 'to-case' | 'to-pallet' | 'end-pallet' | 'clear'>>> = {
  '#CASE': 'to-case',
  '#PALLET': 'to-pallet',
  '#END': 'end-pallet',
  '#CLEAR': 'clear',
};

export type Prompt =
  | { readonly kind: 'children'; readonly childKind: CodeKind; readonly have: number; readonly need: number; readonly text: string }
  | { readonly kind: 'case-code'; readonly children: number; readonly text: string }
  | { readonly kind: 'case-codes'; readonly have: number; readonly need: number; readonly text: string }
  | { readonly kind: 'pallet-code'; readonly cases: number; readonly need: number; readonly short: boolean; readonly text: string }
  | { readonly kind: 'ended'; readonly text: string };

/** Why a scan was refused: a case-station reason, or a scan at the wrong step / a control scan not allowed now. */
export type RefuseReason = RejectReason | 'wrong-step' | 'not-now';

export type ScanOutcome =
  /** Nothing to do (an empty line). */
  | { readonly kind: 'ignored' }
  /** A child code joined the half case (memory only). */
  | { readonly kind: 'child-added'; readonly shown: string; readonly session: CaptureSession }
  /** The case is complete and passed checkCase: commit it, then adopt `session`. */
  | { readonly kind: 'commit-case'; readonly caseCode: string; readonly children: readonly string[]; readonly session: CaptureSession }
  /** A case code for the pallet: stack it (persisted), then adopt `session`. */
  | { readonly kind: 'stack-case'; readonly caseCode: string; readonly session: CaptureSession }
  /** The pallet label: commit the pallet, then adopt `session`. */
  | { readonly kind: 'commit-pallet'; readonly palletCode: string; readonly cases: readonly string[]; readonly short: boolean; readonly session: CaptureSession }
  /** A control scan changed the step. `dropped` children of a half case were discarded by #CLEAR. */
  | { readonly kind: 'control'; readonly event: ManualCaptureEvent; readonly dropped: number; readonly session: CaptureSession }
  /** Refused: the session goes on unchanged. `shown` is the scan with secret kinds masked. */
  | { readonly kind: 'refused'; readonly shown: string | null; readonly reason: RefuseReason; readonly detail: string };

const CHILD_WORD: Readonly<Partial<Record<CodeKind, { zh: string; en: string }>>> = {
  'cap-outer': { zh: '瓶码', en: 'bottle codes' },
  box: { zh: '盒码', en: 'box codes' },
};

/** What to scan next, in plain Chinese first with the English in parentheses. */
export function nextScan(session: CaptureSession, rules: CaptureRules): Prompt {
  const need = rules.caseRules.unitsPerCase;
  switch (session.state) {
    case 'case-children': {
      const kind = rules.caseRules.childKind;
      const word = CHILD_WORD[kind] ?? { zh: CODE_KIND_LABEL_ZH[kind], en: `${kind} codes` };
      const have = session.children.length;
      return { kind: 'children', childKind: kind, have, need, text: `请扫${word.zh}：共 ${need} 个，已扫 ${have} 个 (scan ${need} ${word.en} (${have} of ${need}))` };
    }
    case 'case-code':
      return { kind: 'case-code', children: session.children.length, text: `请扫箱码：${need} 个${(CHILD_WORD[rules.caseRules.childKind] ?? { zh: '子码' }).zh}已齐 (scan the case code)` };
    case 'pallet-cases': {
      const have = session.cases.length;
      const n = rules.casesPerPallet;
      return { kind: 'case-codes', have, need: n, text: `请扫箱码组垛：已扫 ${have}/${n} 箱；扫 #END 结束本垛 (scan case codes (${have} of ${n}); #END ends the pallet)` };
    }
    case 'pallet-code': {
      const have = session.cases.length;
      const n = rules.casesPerPallet;
      const note = session.short ? `，未满垛 ${have}/${n} 箱` : '';
      return { kind: 'pallet-code', cases: have, need: n, short: session.short, text: `请扫垛码${note} (scan the pallet code${session.short ? `; short pallet ${have} of ${n}` : ''})` };
    }
    case 'ended':
      return { kind: 'ended', text: '人工采集已结束 (manual capture ended)' };
  }
}

function step(session: CaptureSession, event: ManualCaptureEvent): ManualCaptureState | string {
  const t = manualCaptureMachine.next(session.state, event);
  return t.ok ? t.to : t.reason;
}

function refused(shown: string | null, reason: RefuseReason, detail: string): ScanOutcome {
  return { kind: 'refused', shown, reason, detail };
}

function control(session: CaptureSession, event: ManualCaptureEvent): ScanOutcome {
  if (event === 'to-pallet' && session.children.length > 0) {
    return refused(null, 'not-now', `本箱还有 ${session.children.length} 个码未装完，请先扫完或扫 #CLEAR 放弃本箱 (finish the half case or #CLEAR it first)`);
  }
  if (event === 'to-case' && session.state === 'pallet-cases' && session.cases.length > 0) {
    return refused(null, 'not-now', `本垛已有 ${session.cases.length} 箱，请先扫 #END 结束本垛 (end the pallet with #END first)`);
  }
  if (event === 'end-pallet' && session.cases.length === 0) {
    return refused(null, 'not-now', '垛上还没有箱，不能结束 (no case on the pallet yet)');
  }
  const to = step(session, event);
  if (!(manualCaptureMachine.states as readonly string[]).includes(to)) return refused(null, 'not-now', to);
  const state = to as ManualCaptureState;
  const dropped = event === 'clear' && session.state.startsWith('case') ? session.children.length : 0;
  const next: CaptureSession = {
    state,
    children: dropped > 0 ? [] : session.children,
    cases: session.cases,
    short: event === 'end-pallet',
  };
  return { kind: 'control', event, dropped, session: event === 'clear' && session.state === 'pallet-code' ? { ...next, short: false } : next };
}

function shownOf(code: string, lookup: CodeLookup): string {
  const facts = lookup.get(code);
  return facts === null ? code : displayCode(code, facts.kind);
}

/** A scan that belongs elsewhere in the hierarchy, said plainly (the operator scanned the wrong label). */
function wrongLevel(code: string, expected: CodeKind, rules: CaptureRules, lookup: CodeLookup): string | null {
  const facts = lookup.get(code);
  if (facts === null || facts.kind === expected || !rules.caseRules.packageIds.has(facts.packageId)) return null;
  return `这是${CODE_KIND_LABEL_ZH[facts.kind]}，现在应扫${CODE_KIND_LABEL_ZH[expected]} (this is a ${facts.kind} code; scan a ${expected} code now)`;
}

/**
 * One scan (one line from the scan gun). Control scans change the step; codes are checked for the step the
 * session is in. Returns what the store must do, or a refusal; `session` in an outcome is adopted only after
 * the store accepted it.
 */
export function scanLine(session: CaptureSession, line: string, rules: CaptureRules, lookup: CodeLookup): ScanOutcome {
  const code = line.trim();
  if (code.length === 0) return { kind: 'ignored' };
  if (session.state === 'ended') return refused(null, 'not-now', '人工采集已结束 (manual capture ended)');
  const event = CONTROL_SCANS[code.toUpperCase()];
  if (event !== undefined) return control(session, event);
  if (code.startsWith('#')) return refused(code, 'not-now', `未知的控制码，可用 ${Object.keys(CONTROL_SCANS).join(' ')} (unknown control scan)`);
  const shown = shownOf(code, lookup);
  const cr = rules.caseRules;
  switch (session.state) {
    case 'case-children': {
      if (session.children.includes(code)) return refused(shown, 'duplicate', '本箱已扫过这个码 (already scanned for this case)');
      const wrong = wrongLevel(code, cr.childKind, rules, lookup);
      if (wrong !== null) return refused(shown, 'wrong-step', wrong);
      const decision = checkCase({ childCodes: [...session.children, code], caseCode: null, noRead: false }, cr, lookup);
      const finding = decision.kind === 'reject' ? decision.findings.find((f) => f.code === code) : undefined;
      if (finding !== undefined) return refused(shown, finding.reason, finding.detail);
      const children = [...session.children, code];
      const full = children.length >= cr.unitsPerCase;
      const state = full ? step(session, 'full') : session.state;
      return { kind: 'child-added', shown, session: { ...session, state: state as ManualCaptureState, children } };
    }
    case 'case-code': {
      if (session.children.includes(code)) return refused(shown, 'duplicate', '这是本箱已扫的瓶码，请扫箱码 (already scanned as a child; scan the case code)');
      const wrong = wrongLevel(code, 'case-outer', rules, lookup);
      if (wrong !== null) return refused(shown, 'wrong-step', wrong);
      // checkCase lets a commissioned code through (a box-level child may be commissioned before packing); a case
      // code must be fresh, as commitCase's guard demands — refuse it here rather than at the commit.
      const facts = lookup.get(code);
      if (facts !== null && facts.kind === 'case-outer' && facts.status === 'commissioned') {
        return refused(shown, 'case-code', '箱码已被使用 (case code already used)');
      }
      const decision = checkCase({ childCodes: session.children, caseCode: code, noRead: false }, cr, lookup);
      if (decision.kind === 'reject') {
        const first = decision.findings.find((f) => f.code === code) ?? decision.findings[0];
        const masked = decision.findings.map((f) => (f.code === undefined ? f.detail : `${shownOf(f.code, lookup)}: ${f.detail}`)).join('；');
        return refused(shown, first?.reason ?? 'case-code', first?.code === code ? first.detail : masked);
      }
      return { kind: 'commit-case', caseCode: code, children: decision.children, session: { ...session, state: step(session, 'committed') as ManualCaptureState, children: [] } };
    }
    case 'pallet-cases': {
      if (session.cases.includes(code)) return refused(shown, 'duplicate', '本垛已扫过这一箱 (already scanned for this pallet)');
      const problem = palletCaseProblem(code, rules, lookup);
      if (problem !== null) return refused(shown, problem.reason, problem.detail);
      const cases = [...session.cases, code];
      const full = cases.length >= rules.casesPerPallet;
      const state = full ? step(session, 'full') : session.state;
      return { kind: 'stack-case', caseCode: code, session: { ...session, state: state as ManualCaptureState, cases } };
    }
    case 'pallet-code': {
      const problem = palletCodeProblem(code, rules, lookup);
      if (problem !== null) return refused(shown, problem.reason, problem.detail);
      return {
        kind: 'commit-pallet', palletCode: code, cases: session.cases, short: session.short,
        session: { state: step(session, 'committed') as ManualCaptureState, children: [], cases: [], short: false },
      };
    }
  }
}

type Problem = { readonly reason: RejectReason | 'wrong-step'; readonly detail: string };

function knownInBatch(code: string, rules: CaptureRules, lookup: CodeLookup): Problem | CodeFacts {
  const facts = lookup.get(code);
  if (facts === null) return { reason: 'foreign', detail: '未知码，不在任何码包中 (unknown code)' };
  if (!rules.caseRules.packageIds.has(facts.packageId)) return { reason: 'foreign', detail: '码不属于本批次的码包 (code is outside the batch packages)' };
  return facts;
}

/** A case for the pallet: a packed (commissioned, closed) case of this batch on no pallet. The store checks the rest. */
function palletCaseProblem(code: string, rules: CaptureRules, lookup: CodeLookup): Problem | null {
  const facts = knownInBatch(code, rules, lookup);
  if ('reason' in facts) return facts;
  if (facts.kind !== 'case-outer') return { reason: 'wrong-step', detail: `这是${CODE_KIND_LABEL_ZH[facts.kind]}，组垛请扫箱码 (this is a ${facts.kind} code; scan case codes to build the pallet)` };
  if (facts.parent !== null || facts.status === 'aggregated' || facts.status === 'shipped') return { reason: 'duplicate', detail: '这一箱已在垛上 (case is already on a pallet)' };
  if (facts.status !== 'commissioned') return { reason: 'unusable', detail: `箱码状态为 ${facts.status}，不是已装箱的箱 (not a packed case)` };
  return null;
}

/** The pallet label: a pallet code of the batch's packages, never used. */
function palletCodeProblem(code: string, rules: CaptureRules, lookup: CodeLookup): Problem | null {
  const facts = knownInBatch(code, rules, lookup);
  if ('reason' in facts) return facts;
  if (facts.kind !== 'pallet') return { reason: 'wrong-step', detail: `这是${CODE_KIND_LABEL_ZH[facts.kind]}，现在应扫垛码 (this is a ${facts.kind} code; scan the pallet code now)` };
  if (facts.status !== 'available' && facts.status !== 'printed') return { reason: 'duplicate', detail: `垛码状态为 ${facts.status}，已被使用或作废 (pallet code already used or dead)` };
  return null;
}
