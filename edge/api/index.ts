/**
 * edge/api — the station's local API (issue 6 §1). Explicit export list. The renderer imports only contract.ts
 * and client.ts directly; edge/main.ts and the CLI import this file.
 */
export { startApi } from './start-api.ts';
export type { RunningApi, StartApiOptions } from './start-api.ts';
export type { StationLike } from './station-like.ts';
export type { ApiDevice } from './api-device.ts';
export type { ApiLogger } from './logger.ts';
export { SILENT_API_LOGGER } from './logger.ts';
export { ROUTE_TABLE } from './route-table.ts';
export type { Route } from './route-table.ts';
export { buildOpenApi } from './build-openapi.ts';
export { ApiError, ApiStartError, ERROR_STATUS } from './errors.ts';
export type { ApiStartErrorCode } from './errors.ts';
export { statusFromDb } from './db-status.ts';
