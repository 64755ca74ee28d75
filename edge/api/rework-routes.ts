import {
  reworkAdd, reworkBreakPallet, reworkDestroy, reworkMove, reworkRelabel, reworkRemove, reworkRepack, reworkReplace, reworkSample,
  type ReworkEnv, type Signature, type SignedOutcome,
} from '../store/rework/index.ts';
import type { ReworkResultView } from './contract.ts';
import { ApiError } from './errors.ts';
import { CODE, CODES, obj, SIGNATURE, type JsonSchema } from './json-schema.ts';
import { sessionOf, type ApiDeps, type RouteImpl, type RouteImpls, type RouteInput } from './route-types.ts';

type ReworkOp = 'reworkRemove' | 'reworkAdd' | 'reworkReplace' | 'reworkRelabel' | 'reworkMove' | 'reworkBreakPallet' | 'reworkDestroy' | 'reworkSample' | 'reworkRepack';

function env(deps: ApiDeps): ReworkEnv {
  if (deps.epcis === undefined) throw new ApiError('INVALID_STATE', '未配置 EPCIS（工作站配置的 epcis 部分），无法记录返工事件 (no EPCIS context configured; rework events cannot be written)');
  return { epcis: deps.epcis };
}

function view(action: string, o: SignedOutcome<unknown>): ReworkResultView {
  return { action, result: o.result, auditSeq: o.auditSeq, events: o.events, signedBy: o.signedBy, signedAt: o.signedAt };
}

/**
 * One route per rework operation of edge/store/rework. The signer is always the logged-in user: the body carries
 * only their PIN (asked again for every action, 21 CFR 11.200) and the reason, never another user's id. The store
 * checks role, lock and PIN again inside; results come back masked by the store.
 */
/** The PIN and reason of a rework body (the body schema requires both as strings; read, not cast). */
function signatureOf(body: unknown): { pin: string; reason: string } {
  const b = body as { pin?: unknown; reason?: unknown } | null;
  if (typeof b?.pin !== 'string' || typeof b.reason !== 'string') throw new ApiError('BAD_REQUEST', '缺少 PIN 或原因 (pin and reason are required)');
  return { pin: b.pin, reason: b.reason };
}

function signed<K extends ReworkOp>(action: string, fields: Record<string, JsonSchema>, run: (db: ApiDeps['db'], e: ReworkEnv, sig: Signature, input: RouteInput<K>) => SignedOutcome<unknown>): RouteImpl<K> {
  return {
    body: obj({ ...SIGNATURE, ...fields }, [...Object.keys(SIGNATURE), ...Object.keys(fields).filter((f) => f !== 'withContents')]),
    handle(deps: ApiDeps, input: RouteInput<K>): ReworkResultView {
      const body = signatureOf(input.body);
      const sig: Signature = { userId: sessionOf(input).user.id, pin: body.pin, reason: body.reason };
      const outcome = run(deps.db, env(deps), sig, input);
      deps.logger.info('api.rework', { action, userId: sig.userId, auditSeq: outcome.auditSeq });
      // Rework may add or remove cases and pallets (repack, break, sample): the station's batch is counted again.
      const held = deps.station?.status().batch?.id;
      if (held === undefined) deps.feed.poke();
      else deps.feed.storeChanged(held);
      return view(action, outcome);
    },
  };
}

export const REWORK_ROUTES: RouteImpls<ReworkOp> = {
  reworkRemove: signed<'reworkRemove'>('rework.remove', { code: CODE }, (db, e, s, { body }) => reworkRemove(db, e, s, { code: body.code })),
  reworkAdd: signed<'reworkAdd'>('rework.add', { container: CODE, code: CODE }, (db, e, s, { body }) => reworkAdd(db, e, s, { container: body.container, code: body.code })),
  reworkReplace: signed<'reworkReplace'>('rework.replace', { oldCode: CODE, newCode: CODE }, (db, e, s, { body }) => reworkReplace(db, e, s, { oldCode: body.oldCode, newCode: body.newCode })),
  reworkRelabel: signed<'reworkRelabel'>('rework.relabel', { oldCode: CODE, newCode: CODE }, (db, e, s, { body }) => reworkRelabel(db, e, s, { oldCode: body.oldCode, newCode: body.newCode })),
  reworkMove: signed<'reworkMove'>('rework.move', { fromCase: CODE, toCase: CODE }, (db, e, s, { body }) => reworkMove(db, e, s, { fromCase: body.fromCase, toCase: body.toCase })),
  reworkBreakPallet: signed<'reworkBreakPallet'>('rework.break-pallet', { pallet: CODE }, (db, e, s, { body }) => reworkBreakPallet(db, e, s, { pallet: body.pallet })),
  reworkDestroy: signed<'reworkDestroy'>('rework.destroy', { codes: CODES, withContents: { type: 'boolean' } }, (db, e, s, { body }) => reworkDestroy(db, e, s, { codes: body.codes, ...(body.withContents === undefined ? {} : { withContents: body.withContents }) })),
  reworkSample: signed<'reworkSample'>('rework.sample', { codes: CODES }, (db, e, s, { body }) => reworkSample(db, e, s, { codes: body.codes })),
  reworkRepack: signed<'reworkRepack'>('rework.repack', { caseCode: CODE, codes: CODES }, (db, e, s, { body }) => reworkRepack(db, e, s, { caseCode: body.caseCode, codes: body.codes })),
};
