import { TOKEN_COOKIE, SESSION_COOKIE, SESSION_HEADER } from './contract.ts';
import type { JsonSchema } from './json-schema.ts';
import type { Route } from './route-table.ts';

const ERROR_SCHEMA = {
  type: 'object',
  required: ['ok', 'code', 'message'],
  properties: {
    ok: { const: false }, code: { type: 'string' }, message: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    details: {},
  },
} as const;

function queryParameters(schema: JsonSchema | undefined): unknown[] {
  return Object.entries(schema?.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: schema?.required?.includes(name) ?? false, schema: s }));
}

/**
 * The OpenAPI 3.1 document of the API, generated from the route table the server routes by (never written by
 * hand): paths, path and query parameters, request bodies (the same JSON Schemas that validate requests), the
 * permission each operation needs (`x-wuma-permission`), whether it is a signed action, and the error shape.
 */
export function buildOpenApi(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const d = r.descriptor;
    const item = (paths[d.path] ??= {});
    const responses: Record<string, unknown> = {
      200: { description: 'OK', content: r.id === 'batchReport' ? { 'application/json': {}, 'text/csv': {}, 'application/pdf': {} } : { 'application/json': {} } },
      400: { description: '请求有误，errors 列出字段路径 (bad request; errors name the field paths)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      401: { description: '缺少令牌或未登录 (no token / no session)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      403: { description: '主机/来源不符或角色无权 (foreign Host/Origin or role not allowed)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    item[d.method.toLowerCase()] = {
      operationId: r.id,
      summary: d.summary,
      tags: [d.tag],
      security: d.access === 'token' ? [{ token: [] }, { tokenCookie: [] }] : [{ token: [], session: [] }, { tokenCookie: [], sessionCookie: [] }],
      parameters: [
        ...r.paramNames.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...queryParameters(r.query),
      ],
      ...(r.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } }),
      ...(r.impl.upload === true ? { requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } } } : {}),
      responses,
      'x-wuma-permission': d.permission,
      'x-wuma-mutating': d.mutating,
      'x-wuma-signed': d.signed,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'wuma 五码 local API',
      version,
      description: '工作站本地 API，仅 127.0.0.1 (station-local API, loopback only). 每个请求需要启动令牌；用户会话按角色授权；推送见 /api/ws (WebSocket).',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        token: { type: 'http', scheme: 'bearer', description: '每次启动生成的令牌 (per-launch token)' },
        tokenCookie: { type: 'apiKey', in: 'cookie', name: TOKEN_COOKIE },
        session: { type: 'apiKey', in: 'header', name: SESSION_HEADER },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
      },
    },
  };
}
