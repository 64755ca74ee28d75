import { PrinterConfigError } from '../errors.ts';

/** Readers for `PrinterConfig.options`: each names the bad field path and value. */
export function intOption(options: Readonly<Record<string, unknown>> | undefined, name: string, min: number, max: number, fallback: number): number {
  const v = options?.[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new PrinterConfigError(`options.${name}`, `应为 ${min}..${max} 的整数，收到 ${JSON.stringify(v)} (must be an integer ${min}..${max})`);
  }
  return v;
}

export function stringOption(options: Readonly<Record<string, unknown>> | undefined, name: string, fallback: string, pattern?: RegExp): string {
  const v = options?.[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || (pattern !== undefined && !pattern.test(v))) {
    throw new PrinterConfigError(`options.${name}`, `取值无效 ${JSON.stringify(v)}${pattern ? `，应匹配 ${String(pattern)}` : ''} (invalid value)`);
  }
  return v;
}

export function boolOption(options: Readonly<Record<string, unknown>> | undefined, name: string, fallback: boolean): boolean {
  const v = options?.[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new PrinterConfigError(`options.${name}`, `应为 true/false，收到 ${JSON.stringify(v)} (must be a boolean)`);
  return v;
}

/** A regular expression given as a string; a bad pattern is a config error naming the field. */
export function regexOption(options: Readonly<Record<string, unknown>> | undefined, name: string, fallback: string | null): RegExp | null {
  const v = options?.[name] ?? fallback;
  if (v === null) return null;
  if (typeof v !== 'string') throw new PrinterConfigError(`options.${name}`, `应为正则表达式字符串 (must be a regular expression string)`);
  try {
    return new RegExp(v);
  } catch (error) {
    throw new PrinterConfigError(`options.${name}`, `正则表达式无效 ${JSON.stringify(v)} (invalid regular expression: ${(error as Error).message})`);
  }
}
