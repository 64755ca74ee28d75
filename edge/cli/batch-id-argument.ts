import type { ParsedCommand } from './command.ts';
import { UsageError } from './errors.ts';

/** The one positional batch ID of `wuma batch pause|resume|close|report ID`; usage error otherwise. */
export function batchIdArgument(args: ParsedCommand): number {
  const raw = args.positionals[0];
  if (raw === undefined || args.positionals.length > 1 || !/^[1-9]\d{0,15}$/.test(raw)) throw new UsageError(`需要一个批次编号 ID，收到 "${args.positionals.join(' ')}" (exactly one batch ID is required)`);
  return Number(raw);
}
