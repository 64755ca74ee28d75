import { existsSync } from 'node:fs';
import type { ParsedCommand } from './command.ts';
import { UsageError } from './errors.ts';

/** The one positional FILE of an import command; usage error when none, several, or a missing file is given. */
export function inputFileArgument(args: ParsedCommand): string {
  const path = args.positionals[0];
  if (path === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个文件 FILE (exactly one FILE is required)');
  if (!existsSync(path)) throw new UsageError(`文件不存在: ${path} (file not found)`);
  return path;
}
