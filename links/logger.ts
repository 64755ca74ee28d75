/**
 * The one structured logger interface of wuma (STYLE.md "Logging and secrets"): the station runtime, the local
 * API, the device drivers and the desktop shell all take this shape, or a part of it (`Pick<Logger, 'debug' |
 * 'warn'>` for a driver). Fields carry ids and outer codes; callers mask secret codes before they reach a field or
 * a message. Lives in links/ because printers/ and scanners/ may import nothing else they share.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A logger that drops everything (for callers that do not care). */
export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };
