/**
 * The structured logger the API is given (STYLE.md "Logging and secrets"); the same shape as the station's, so
 * `edge/main.ts` passes one logger to both. The API logs method, route, status and user ids — never tokens,
 * PINs, badge codes, session ids or request bodies (which may hold codes).
 */
export interface ApiLogger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export const SILENT_API_LOGGER: ApiLogger = { debug() {}, info() {}, warn() {}, error() {} };
