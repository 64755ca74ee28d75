import { parseArgs } from 'node:util';
import type { CommandSpec, OptionSpec, ParsedCommand } from './command.ts';
import { UsageError } from './errors.ts';

export const GLOBAL_OPTIONS: Readonly<Record<'db' | 'json' | 'help', OptionSpec>> = {
  db: { type: 'string', value: 'PATH', description: '数据库文件 (database file; default ./data/wuma.db, env WUMA_DB)' },
  json: { type: 'boolean', description: '机器可读的 JSON 输出 (machine-readable JSON output)' },
  help: { type: 'boolean', short: 'h', description: '显示帮助 (show help)' },
};

/** Parses the arguments after the command words; unknown options and missing values are usage errors. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedCommand {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries({ ...GLOBAL_OPTIONS, ...spec.options })) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedCommand['values'], positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(translateParseError(error));
  }
}

function translateParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `未知选项 ${unknown[1]} (unknown option ${unknown[1]})`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `选项 ${missing[1]} 缺少取值 (option ${missing[1]} needs a value)`;
  return message;
}

/** A required string option; usage error naming it when absent. */
export function requireString(args: ParsedCommand, name: string): string {
  const value = args.values[name];
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`缺少选项 --${name} (missing --${name})`);
  return value;
}

export function optionalString(args: ParsedCommand, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** An integer option within [min, max]; usage error naming the option and the bad value otherwise. */
export function integerOption(args: ParsedCommand, name: string, range: { min: number; max: number }, fallback?: number): number {
  const raw = args.values[name];
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`缺少选项 --${name} (missing --${name})`);
  }
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UsageError(`--${name} 应为整数，收到 "${String(raw)}" (--${name} must be a whole number)`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new UsageError(`--${name} 应在 ${range.min} 到 ${range.max} 之间，收到 ${raw} (--${name} must be between ${range.min} and ${range.max})`);
  }
  return n;
}

/** One of a closed set of words; usage error listing the allowed ones. */
export function choiceOption<T extends string>(args: ParsedCommand, name: string, choices: readonly T[], fallback?: T): T {
  const raw = args.values[name];
  if (raw === undefined && fallback !== undefined) return fallback;
  if (typeof raw !== 'string') throw new UsageError(`缺少选项 --${name}，可选: ${choices.join(' | ')} (missing --${name})`);
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} 不支持 "${raw}"，可选: ${choices.join(' | ')} (unsupported --${name})`);
  }
  return raw as T;
}
