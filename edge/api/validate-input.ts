import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FieldError, Parsed } from '../domain/field-error.ts';
import type { JsonSchema } from './json-schema.ts';

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
// Query strings arrive as text: a second instance coerces "12" to 12 for `integer` query parameters only.
const ajvQuery = new Ajv({ allErrors: true, strict: false, coerceTypes: true });

function pathOf(e: ErrorObject, root: string): string {
  const base = e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  const extra = e.keyword === 'required' ? `.${String(e.params['missingProperty'])}`
    : e.keyword === 'additionalProperties' ? `.${String(e.params['additionalProperty'])}` : '';
  const path = `${root}${base}${extra}`.replace(/^\./, '');
  return path.length === 0 ? '(根 root)' : path;
}

function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return '缺少必填字段 (required field missing)';
    case 'additionalProperties': return '未知字段，可能拼写错误 (unknown field; a typo?)';
    case 'type': return `类型应为 ${String(p['type'])} (must be ${String(p['type'])})`;
    case 'enum': return `可选值: ${(p['allowedValues'] as unknown[]).map(String).join(' | ')} (must be one of these)`;
    case 'const': return `应为 ${JSON.stringify(p['allowedValue'])} (must be ${JSON.stringify(p['allowedValue'])})`;
    case 'pattern': return '格式不对或含控制字符 (bad format)';
    case 'minimum': return `应 ≥ ${String(p['limit'])} (must be at least ${String(p['limit'])})`;
    case 'maximum': return `应 ≤ ${String(p['limit'])} (must be at most ${String(p['limit'])})`;
    case 'minLength': return '不能为空 (must not be empty)';
    case 'maxLength': return `太长，最多 ${String(p['limit'])} 个字符 (too long, at most ${String(p['limit'])})`;
    case 'minItems': return `至少 ${String(p['limit'])} 项 (at least ${String(p['limit'])} items)`;
    case 'maxItems': return `最多 ${String(p['limit'])} 项 (at most ${String(p['limit'])} items)`;
    case 'oneOf': return '不符合任何一种允许的形式 (matches none of the allowed shapes)';
    default: return `${e.keyword} 校验失败 (${e.message ?? 'invalid'})`;
  }
}

/**
 * A compiled validator for a body or query schema. Every problem comes back with its field path (`codes[2]`,
 * `query.batchId`) and what is wrong, never the offending value (it may be a PIN or a secret code).
 */
export function compileValidator<T>(schema: JsonSchema, where: 'body' | 'query'): (data: unknown) => Parsed<T> {
  const fn: ValidateFunction = (where === 'query' ? ajvQuery : ajv).compile(schema as object);
  const root = where === 'query' ? 'query' : '';
  return (data) => {
    if (fn(data)) return { ok: true, value: data as T };
    const all = fn.errors ?? [];
    // oneOf drags along the failures of each branch; keep the branch errors that say most, one per path.
    const specific = all.some((e) => e.keyword !== 'oneOf') ? all.filter((e) => e.keyword !== 'oneOf') : all;
    const seen = new Set<string>();
    const errors: FieldError[] = [];
    for (const e of specific) {
      const path = pathOf(e, root);
      const message = messageOf(e);
      if (seen.has(`${path}\u0000${message}`)) continue;
      seen.add(`${path}\u0000${message}`);
      errors.push({ path, message });
    }
    return { ok: false, errors };
  };
}
