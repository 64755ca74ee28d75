import type { EpcisContext } from '../../sync/index.ts';
import { REJECT_REASONS } from '../aggregation/reject-reason.ts';
import type { RefuseReason } from '../aggregation/manual-capture.ts';
import { captureEndMessage, captureMessage } from '../station/capture-message.ts';
import type { CaptureRefusal, CaptureStep } from '../station/capture-runner.ts';
import { batchId as batchIdOf, mustBatch } from './batch-routes.ts';
import type { OpenCapture } from './capture-sessions.ts';
import type { CaptureOutcomeView, CaptureRefuseReason, CaptureView } from './contract.ts';
import { ApiError, apiCodeOfStore } from './errors.ts';
import { CODE, obj } from './json-schema.ts';
import { sessionOf, type ApiDeps, type RouteImpls } from './route-types.ts';

// Every reason of the pure module is a reason of the contract (compile-time check).
type Assert<T extends true> = T;
export type RefuseReasonsInContract = Assert<RefuseReason extends CaptureRefuseReason ? true : false>;

const PURE_REASONS: ReadonlySet<string> = new Set<string>([...REJECT_REASONS, 'wrong-step', 'not-now']);

/** A refusal's reason for the contract: the pure module's as is, a store error code as the API's error code. */
function refuseReason(r: CaptureRefusal): CaptureRefuseReason {
  return PURE_REASONS.has(r) ? (r as RefuseReason) : apiCodeOfStore(r);
}

function codeOf(step: Exclude<CaptureStep, { kind: 'ignored' | 'refused' }>): string | null {
  switch (step.kind) {
    case 'child-added': return step.shown;
    case 'control': return null;
    case 'case-committed': case 'stacked': return step.caseCode;
    case 'pallet-committed': return step.palletCode;
  }
}

function outcomeView(step: Exclude<CaptureStep, { kind: 'ignored' }>, by: string, at: Date): CaptureOutcomeView {
  const message = captureMessage(step);
  if (step.kind === 'refused') return { kind: 'refused', reason: refuseReason(step.reason), code: step.shown, message, by, at: at.toISOString() };
  return { kind: 'accepted', action: step.kind, code: codeOf(step), message, by, at: at.toISOString() };
}

/** The session as the contract shows it; every code passes the runner's masking (secret kinds never in full). */
export function captureView(c: OpenCapture): CaptureView {
  const r = c.runner;
  const s = r.session;
  return {
    batchId: r.batchId, state: s.state, prompt: r.prompt(),
    children: s.children.map((code) => r.shown(code)), cases: s.cases.map((code) => r.shown(code)), short: s.short, stackId: r.stackId,
    childKind: r.rules.caseRules.childKind, unitsPerCase: r.rules.caseRules.unitsPerCase, casesPerPallet: r.rules.casesPerPallet,
    tally: { ...r.tally }, startedBy: c.startedBy, startedAt: c.startedAt, last: c.last,
  };
}

function epcisOf(deps: ApiDeps): EpcisContext {
  if (deps.epcis === undefined) throw new ApiError('INVALID_STATE', '未配置 EPCIS（工作站配置的 epcis 部分），无法记录人工采集的事件 (no EPCIS context configured; capture events cannot be written)');
  return deps.epcis;
}

const SCAN = { ...CODE, description: '一次扫码：码，或控制码 #CASE 装箱、#PALLET 组垛、#END 结束本垛、#CLEAR 放弃本箱 (one scan: a code or a control scan)' };

/**
 * Manual capture over the local API (issue 4 §4), for when a line camera is down: the operator's handheld scanner
 * feeds one scan per request and the answer says what happened and what to scan next. Sessions live in the API
 * process (capture-sessions.ts: at most one per batch); the logic is the CLI's (edge/station/capture-runner.ts).
 *
 * Beside a running automatic case station: allowed, on purpose (the camera may be down while the station, its
 * PLC and the pallet reader still run, and which device is down is the operator's call). Nothing can be used
 * twice: every scan is checked against the database as it is then, and every commit is one of the store's guarded
 * transactions (status / parent / batch-package guards on each code UPDATE), so a code the station committed first
 * is refused here with the store's reason (重码 / 箱码异常, code masked), and a code committed here is rejected
 * by the station as a duplicate. A manual pallet is built on its own persisted stack, never the pallet station's.
 *
 * Codes of secret kinds are masked in every response, push and log line (the runner masks by the code's kind).
 */
export const CAPTURE_ROUTES: RouteImpls<'getCapture' | 'startCapture' | 'captureScan' | 'endCapture'> = {
  getCapture: {
    handle(deps, { params }) {
      const id = batchIdOf(params);
      mustBatch(deps, id);
      const open = deps.captures.get(id);
      return { capture: open === undefined ? null : captureView(open) };
    },
  },
  startCapture: {
    handle(deps, input) {
      const id = batchIdOf(input.params);
      const user = sessionOf(input).user;
      const open = deps.captures.start(deps.db, epcisOf(deps), id, user, new Date());
      const view = captureView(open);
      deps.logger.info('api.capture.started', { batchId: id, userId: user.id });
      deps.feed.publishCapture(id, view);
      return view;
    },
  },
  captureScan: {
    body: obj({ scan: SCAN }),
    handle(deps, input) {
      const id = batchIdOf(input.params);
      const user = sessionOf(input).user;
      const open = deps.captures.require(id);
      const step = open.runner.scan(input.body.scan, user.id);
      if (step.kind === 'ignored') throw new ApiError('BAD_REQUEST', '扫码内容为空 (the scan is blank)', { errors: [{ path: 'scan', message: '只有空白 (blank)' }] });
      const outcome = outcomeView(step, user.id, new Date());
      open.last = outcome;
      open.lastBy = user.id;
      const fields = { batchId: id, userId: user.id, outcome: outcome.kind, ...(outcome.kind === 'refused' ? { reason: outcome.reason } : { action: outcome.action }), code: outcome.code };
      if (step.kind === 'child-added' || step.kind === 'control') deps.logger.debug('api.capture.scan', fields);
      else deps.logger.info('api.capture.scan', fields);
      // Commits change counters and stacks: the station counts again and the status is pushed (this connection's
      // own writes are not polled).
      if (step.kind === 'case-committed' || step.kind === 'pallet-committed') deps.feed.storeChanged(id);
      else if (step.kind === 'stacked') deps.feed.poke();
      const view = captureView(open);
      deps.feed.publishCapture(id, view);
      return { outcome, capture: view };
    },
  },
  endCapture: {
    handle(deps, input) {
      const id = batchIdOf(input.params);
      const user = sessionOf(input).user;
      const end = deps.captures.end(id, user.id);
      const message = [end.parkRefused === null ? null : captureMessage(end.parkRefused), captureEndMessage(end)].filter((l) => l !== null).join('\n');
      deps.logger.info('api.capture.ended', { batchId: id, userId: user.id, halfCaseDropped: end.halfCaseDropped, parkedStack: end.parkedStack });
      deps.feed.publishCapture(id, null);
      deps.feed.poke();
      return { batchId: id, halfCaseDropped: end.halfCaseDropped, parkedStack: end.parkedStack, tally: end.tally, message };
    },
  },
};
