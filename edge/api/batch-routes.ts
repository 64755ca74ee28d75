import { renderReconciliationCsv, renderReconciliationPdf } from '../report/index.ts';
import { closeBatch, getBatch, pauseBatch, recentBatchIds, resumeBatch, startBatch } from '../store/batches.ts';
import type { Batch } from '../store/batches.ts';
import { listProducts } from '../store/products.ts';
import { reconcileBatch } from '../store/reconciliation.ts';
import type { BatchView, ReconciliationView } from './contract.ts';
import { ApiError } from './errors.ts';
import { obj, str, SIGNATURE, type JsonSchema } from './json-schema.ts';
import { fileResponse, sessionOf, type ApiDeps, type RouteImpls, type RouteInput } from './route-types.ts';
import { verifySigner } from './verify-signer.ts';
import { batchView, productView } from './views.ts';

/** The `{batchId}` path parameter as a number, or 400 naming it. */
export function batchId(params: Readonly<Record<string, string>>): number {
  const raw = params['batchId'] ?? '';
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new ApiError('BAD_REQUEST', '批次编号应为正整数 (batch id must be a positive whole number)', { errors: [{ path: 'batchId', message: '应为正整数 (must be a positive whole number)' }] });
  return Number(raw);
}

/** The batch, or 404. */
export function mustBatch(deps: ApiDeps, id: number): Batch {
  const b = getBatch(deps.db, id);
  if (b === null) throw new ApiError('NOT_FOUND', `批次 ${id} 不存在 (batch not found)`);
  return b;
}

/** Pushes the batch the command left (the station, when it ran the command, already holds it: nothing is echoed). */
function changed(deps: ApiDeps, b: Batch, change: 'start' | 'pause' | 'resume' | 'close'): BatchView {
  const view = batchView(b);
  deps.feed.batchChanged(view, change);
  return view;
}

const LIMIT_QUERY: JsonSchema = { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } }, additionalProperties: false };

export const BATCH_ROUTES: RouteImpls<'listProducts' | 'listBatches' | 'getBatch' | 'startBatch' | 'pauseBatch' | 'resumeBatch' | 'closeBatch' | 'batchReport'> = {
  listProducts: { handle: (deps) => ({ products: listProducts(deps.db).map(productView) }) },
  listBatches: {
    query: LIMIT_QUERY,
    handle(deps, { query }) {
      return { batches: recentBatchIds(deps.db, query?.limit ?? 50).map((id) => batchView(mustBatch(deps, id))) };
    },
  },
  getBatch: { handle: (deps, { params }) => batchView(mustBatch(deps, batchId(params))) },
  startBatch: {
    body: obj({
      productId: str(64), lot: str(20), productionDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' }, line: str(40),
      plannedQty: { type: ['integer', 'null'], minimum: 1 }, packages: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, minItems: 1, maxItems: 64 },
    }, ['productId', 'lot', 'productionDate', 'line', 'packages']),
    handle(deps, input) {
      const b = input.body;
      // A batch of the station's own line is started by the station (and its stations on it); any other in the store.
      const start = { ...b, plannedQty: b.plannedQty ?? null, actor: sessionOf(input).user.id };
      const batch = deps.station?.startBatch?.(start) ?? startBatch(deps.db, start);
      return changed(deps, batch, 'start');
    },
  },
  pauseBatch: {
    // The batch a station runs is paused by the station (the cases in hand are decided first); any other in the store.
    async handle(deps, input) {
      const id = batchId(input.params);
      const actor = sessionOf(input).user.id;
      const paused = (await deps.station?.pauseBatch?.(id, actor)) ?? pauseBatch(deps.db, id, actor);
      return changed(deps, paused, 'pause');
    },
  },
  resumeBatch: {
    handle(deps, input) {
      const id = batchId(input.params);
      const actor = sessionOf(input).user.id;
      return changed(deps, deps.station?.resumeBatch?.(id, actor) ?? resumeBatch(deps.db, id, actor), 'resume');
    },
  },
  closeBatch: {
    body: { type: 'object', properties: { reason: SIGNATURE.reason, pin: SIGNATURE.pin }, additionalProperties: false },
    async handle(deps, input: RouteInput<'closeBatch'>) {
      const user = sessionOf(input).user;
      const id = batchId(input.params);
      const reason = input.body.reason;
      // A reason makes the close a signed one (it explains unexplained codes): the PIN is asked again first.
      if (reason !== undefined) verifySigner(deps.db, user.id, input.body.pin);
      const close = { batchId: id, actor: user.id, ...(reason === undefined ? {} : { reason }), ...(deps.epcis === undefined ? {} : { epcis: deps.epcis }) };
      // As for pause: the station closes its own batch once the cases in hand are decided.
      const outcome = (await deps.station?.closeBatch?.(close)) ?? closeBatch(deps.db, close);
      const report: ReconciliationView = outcome.report;
      if (outcome.kind === 'refused') {
        throw new ApiError('SIGNATURE_REQUIRED', `批次有 ${outcome.report.totals.unexplained} 个码去向不明，需填写原因并用 PIN 签名后才能关闭 (the batch has unexplained codes: a reason signed with the PIN is required)`, { details: { report } });
      }
      deps.logger.info('api.batch.closed', { batchId: id, userId: user.id, signed: reason !== undefined });
      return { batch: changed(deps, outcome.batch, 'close'), report };
    },
  },
  batchReport: {
    query: { type: 'object', properties: { format: { enum: ['json', 'csv', 'pdf'] } }, additionalProperties: false },
    async handle(deps, { params, query }) {
      const id = batchId(params);
      mustBatch(deps, id);
      const report = reconcileBatch(deps.db, id);
      const format = query?.format ?? 'json';
      if (format === 'csv') return fileResponse('text/csv; charset=utf-8', `batch-${id}-reconciliation.csv`, renderReconciliationCsv(report));
      if (format === 'pdf') {
        const data = await renderReconciliationPdf(report, deps.reportFont === undefined ? {} : { fontPath: deps.reportFont });
        return fileResponse('application/pdf', `batch-${id}-reconciliation.pdf`, data);
      }
      return report;
    },
  },
};
