import { Ajv, type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import type { FieldError } from '../domain/field-error.ts';
import schema from './station-config.schema.json' with { type: 'json' };
import type { StationConfig } from './station-config.ts';

/** A config that cannot be used: every problem with its field path (`case.camera.tcp`). */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  readonly errors: readonly FieldError[];
  constructor(source: string, errors: readonly FieldError[]) {
    super(`配置文件 ${source} 有误 (invalid config):\n${errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.errors = errors;
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validate = ajv.compile<StationConfig>(schema);

function pathOf(e: ErrorObject): string {
  const base = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
  if (e.keyword === 'required') return base ? `${base}.${String(e.params['missingProperty'])}` : String(e.params['missingProperty']);
  if (e.keyword === 'additionalProperties') return base ? `${base}.${String(e.params['additionalProperty'])}` : String(e.params['additionalProperty']);
  return base || '(根 root)';
}

function messageOf(e: ErrorObject, data: unknown): string {
  switch (e.keyword) {
    case 'required': return '缺少必填项 (required)';
    case 'additionalProperties': return '未知的配置项，可能拼写错误 (unknown key; a typo?)';
    case 'type': return `类型应为 ${String(e.params['type'])} (must be ${String(e.params['type'])})`;
    case 'enum': return `可选值: ${(e.params['allowedValues'] as unknown[]).map(String).join(' | ')} (must be one of these)`;
    case 'const': return `应为 ${JSON.stringify(e.params['allowedValue'])} (must be ${JSON.stringify(e.params['allowedValue'])})`;
    case 'pattern': return `格式不对，收到 ${JSON.stringify(data)} (bad format)`;
    case 'minimum': case 'maximum': return `应${e.keyword === 'minimum' ? '≥' : '≤'} ${String(e.params['limit'])}，收到 ${JSON.stringify(data)} (out of range)`;
    case 'minLength': return '不能为空 (must not be empty)';
    case 'maxLength': return `太长，最多 ${String(e.params['limit'])} 字 (too long)`;
    case 'oneOf': return '需要且只能给一种：连接方式 tcp / listen / serial / opcua 之一，或 caseCode 的 read / print 模式之一 (exactly one alternative must match)';
    default: return e.message ?? e.keyword;
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let v: unknown = root;
  for (const part of pointer.split('/').slice(1)) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/**
 * Line and column of a JSON syntax error. V8 does not always say where; a prefix of the text is either fine so
 * far ("unexpected end") or already broken, and that is monotone, so a binary search finds the first bad byte.
 */
function syntaxLocation(text: string): string {
  const broken = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      return !/end of JSON input|Unterminated|Expected property name or '}'|Expected ',' or|Expected ':'|Expected double-quoted/.test((error as Error).message) || length === text.length;
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (broken(mid)) hi = mid;
    else lo = mid + 1;
  }
  const before = text.slice(0, Math.max(0, lo - 1));
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return `第 ${line} 行第 ${col} 列 (line ${line}, column ${col})`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The field errors of a failed schema validation, the most specific one per path (oneOf failures drag along the
 * errors of each branch). Shared by the station config and the pairing config (pairing-config.ts).
 */
export function configErrors(all: readonly ErrorObject[], data: unknown): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  const specific = all.filter((e) => e.keyword !== 'oneOf' || !all.some((o) => o !== e && o.instancePath.startsWith(e.instancePath) && o.keyword !== 'oneOf' && o.keyword !== 'required' && o.keyword !== 'const'));
  for (const e of specific) {
    const path = pathOf(e);
    if (seen.has(path)) continue;
    seen.add(path);
    errors.push({ path, message: messageOf(e, valueAt(data, e.instancePath)) });
  }
  return errors;
}

/**
 * Validates a parsed config against `station-config.schema.json`, fills defaults, and returns it frozen
 * (STYLE.md: parsed once at start-up, frozen, passed down). Throws ConfigError listing every problem.
 */
export function parseConfig(raw: unknown, source = 'config'): StationConfig {
  const copy = structuredClone(raw);
  if (!validate(copy)) throw new ConfigError(source, configErrors(validate.errors ?? [], copy));
  return deepFreeze(copy);
}

/** Reads a JSON config file (JSON with `//` line comments allowed, for the commented example); ConfigError naming the line and column of a syntax error. */
export function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [{ path: '(文件 file)', message: `无法读取: ${(error as Error).message} (cannot read)` }]);
  }
  const stripped = text.replace(/^\uFEFF/, '').split('\n').map((line) => line.replace(/^(\s*)\/\/.*$/, '$1')).join('\n');
  try {
    return JSON.parse(stripped);
  } catch (error) {
    throw new ConfigError(path, [{ path: '(JSON)', message: `JSON 语法错误 ${syntaxLocation(stripped)}: ${(error as Error).message} (JSON syntax error)` }]);
  }
}

/** Reads and parses a station config file. */
export function loadConfig(path: string): StationConfig {
  return parseConfig(readConfigJson(path), path);
}

export { deepFreeze };
