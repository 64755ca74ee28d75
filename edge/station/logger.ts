/**
 * The structured logger the station runtime is given (STYLE.md "Logging and secrets"). Fields carry ids and
 * outer codes; callers mask secret codes (maskCode / displayCode) before they reach a field or a message.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** A logger that drops everything (for callers that do not care). */
export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };
