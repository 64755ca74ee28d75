/**
 * The JSON Schema subset the route table writes its bodies and queries in. The same objects validate requests
 * (validate-input.ts, with ajv) and appear in /api/openapi.json (OpenAPI 3.1 uses JSON Schema 2020-12; this
 * subset means the same in draft-07, which ajv runs).
 */
export type JsonSchema = Readonly<{
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'null' | readonly ('string' | 'integer' | 'null' | 'number' | 'boolean')[];
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: readonly (string | number | boolean)[];
  const?: string | number | boolean;
  oneOf?: readonly JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  description?: string;
}>;

export const str = (maxLength: number, extra: Omit<JsonSchema, 'type'> = {}): JsonSchema => ({ type: 'string', minLength: 1, maxLength, ...extra });
export const obj = (properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema =>
  ({ type: 'object', properties, required, additionalProperties: false });
/** A code as scanned: 1–128 printable characters (longest GS1 element strings and Digital Link URIs fit). */
export const CODE: JsonSchema = { type: 'string', minLength: 1, maxLength: 512, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: '扫描到的码 (a scanned code)' };
export const CODES: JsonSchema = { type: 'array', items: CODE, minItems: 1, maxItems: 10_000 };
/** Signature fields of signed actions (21 CFR 11.200): the PIN again and the reason. */
export const SIGNATURE: Record<'pin' | 'reason', JsonSchema> = {
  pin: { type: 'string', minLength: 1, maxLength: 64, description: '当前用户的 PIN，每次签名重新输入 (the user PIN, asked again for every signature)' },
  reason: { type: 'string', minLength: 1, maxLength: 500, description: '原因 (reason)' },
};
