/**
 * The station runtime's logger: the one Logger interface of links/logger.ts, and its JSON-lines implementation.
 * Callers mask secret codes (maskCode / displayCode) before they reach a field or a message.
 */
import type { Logger, LogLevel } from '../../links/index.ts';

export { SILENT_LOGGER, type Logger, type LogLevel } from '../../links/index.ts';

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A JSON-lines logger (one object per line: time, level, message, fields). Callers mask secret codes before
 * logging (STYLE.md); this logger adds nothing of its own but the time and level.
 */
export function createLogger(options: { readonly write: (line: string) => void; readonly level?: LogLevel; readonly name?: string }): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const emit = (level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>): void => {
    if (LEVELS[level] < min) return;
    options.write(`${JSON.stringify({ t: new Date().toISOString(), level, ...(options.name === undefined ? {} : { name: options.name }), msg, ...fields })}\n`);
  };
  return {
    debug: (m, f) => { emit('debug', m, f); },
    info: (m, f) => { emit('info', m, f); },
    warn: (m, f) => { emit('warn', m, f); },
    error: (m, f) => { emit('error', m, f); },
  };
}
