import { API_OPERATIONS, type OperationDescriptor, type OperationId } from './contract.ts';
import type { Action } from '../store/users.ts';
import { BATCH_ROUTES } from './batch-routes.ts';
import { CAPTURE_ROUTES } from './capture-routes.ts';
import { IT_ROUTES } from './it-routes.ts';
import type { JsonSchema } from './json-schema.ts';
import { REWORK_ROUTES } from './rework-routes.ts';
import type { RouteImpl, RouteImpls } from './route-types.ts';
import { SESSION_ROUTES } from './session-routes.ts';
import { STATION_ROUTES } from './station-routes.ts';
import { WAREHOUSE_ROUTES } from './warehouse-routes.ts';

// Every permission the contract names is an action of the store's permission table (compile-time check).
type Assert<T extends true> = T;
export type PermissionsAreActions = Assert<NonNullable<(typeof API_OPERATIONS)[OperationId]['permission']> extends Action ? true : false>;

const DOCS: RouteImpls<'openapi'> = {
  // Answered by the server itself (start-api.ts builds the document once from this table).
  openapi: { handle: () => ({}) },
};

/** One implementation per contract operation: a missing or extra handler is a type error here. */
const IMPLS: RouteImpls<OperationId> = { ...SESSION_ROUTES, ...BATCH_ROUTES, ...STATION_ROUTES, ...CAPTURE_ROUTES, ...REWORK_ROUTES, ...IT_ROUTES, ...WAREHOUSE_ROUTES, ...DOCS };

export interface Route {
  readonly id: OperationId;
  readonly descriptor: OperationDescriptor;
  readonly impl: RouteImpl<OperationId>;
  /** `/api/batches/{batchId}` as a matcher with named groups. */
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
  readonly body: JsonSchema | undefined;
  readonly query: JsonSchema | undefined;
}

function compilePath(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = path.split('/').map((seg) => {
    const m = /^\{(\w+)\}$/.exec(seg);
    if (m === null) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    paramNames.push(m[1] ?? '');
    return '([^/]+)';
  }).join('/');
  return { pattern: new RegExp(`^${source}$`), paramNames };
}

/**
 * The route table: the contract's operations joined with their implementations. The server routes by it, the
 * OpenAPI document is generated from it, and the tests iterate it (every mutating route × every role).
 */
export const ROUTE_TABLE: readonly Route[] = (Object.keys(API_OPERATIONS) as OperationId[]).map((id) => {
  const impl = IMPLS[id] as RouteImpl<OperationId>;
  return { id, descriptor: API_OPERATIONS[id], impl, ...compilePath(API_OPERATIONS[id].path), body: impl.body, query: impl.query };
});
