import { appendFileSync } from 'node:fs';
import { createLogger, type Logger, type LogLevel } from '../station/logger.ts';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * The demo's logger: the station's JSON-lines logger (edge/main.ts createLogger) writing each line to `file`
 * when given (appended synchronously, so a killed process leaves every line it logged), keeping the newest
 * `keep` lines in memory, and passing lines from `echoLevel` up to `echo` (the CLI shows warnings on stderr).
 * Lines are written exactly as the station gave them: masking is the caller's job (STYLE.md), and the secrets
 * test searches exactly this output.
 */
export function demoLogger(options: {
  readonly file?: string;
  readonly level?: LogLevel;
  readonly keep?: number;
  readonly echo?: (line: string) => void;
  readonly echoLevel?: LogLevel;
}): Logger & { readonly lines: readonly string[] } {
  const lines: string[] = [];
  const keep = options.keep ?? 0;
  const echoRank = RANK[options.echoLevel ?? 'warn'];
  const logger = createLogger({
    level: options.level ?? 'info',
    name: 'demo',
    write: (line) => {
      if (options.file !== undefined) appendFileSync(options.file, line);
      if (keep > 0) {
        lines.push(line);
        if (lines.length > keep) lines.shift();
      }
      if (options.echo !== undefined) {
        const level = /"level":"(debug|info|warn|error)"/.exec(line)?.[1] as LogLevel | undefined;
        if (level !== undefined && RANK[level] >= echoRank) options.echo(line);
      }
    },
  });
  return Object.assign(logger, { lines });
}
