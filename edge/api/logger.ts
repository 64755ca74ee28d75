/**
 * The structured logger the API is given (STYLE.md "Logging and secrets"); the same shape as the station's, so
 * `edge/main.ts` passes one logger to both. The API logs method, route, status and user ids — never tokens,
 * PINs, badge codes, session ids or request bodies (which may hold codes).
 */
import { SILENT_LOGGER, type Logger } from '../../links/index.ts';

export type ApiLogger = Logger;

export const SILENT_API_LOGGER: ApiLogger = SILENT_LOGGER;
