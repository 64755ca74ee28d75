import { lookupAi } from './ai-table.ts';
import { Gs1Error } from './errors.ts';
import { describeIssues, type Gs1Element, type Gs1Issue } from './issue.ts';
import { validateElement } from './validate-element.ts';

/** The canonical GS1 resolver; brands use their own domain (GS1 Digital Link URI Syntax 1.2 §4). */
export const DEFAULT_DL_STEM = 'https://id.gs1.org';

/**
 * Percent-encodes an AI value for a Digital Link path segment or query value: every character other than the
 * RFC 3986 unreserved set `A-Z a-z 0-9 - . _ ~` becomes %XX of its UTF-8 bytes (DL URI Syntax 1.2 §6.1
 * allows no other literal CSET 82 characters safely, e.g. `/`, `?`, `#`, `&`, `+`, `%`).
 */
export function percentEncodeDl(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Validates a URI stem (`https://brand.example[/path]`) and returns it normalised the way WHATWG URL does
 * (default port dropped, no trailing slash). Scheme must be lower-case http or https; no query or fragment.
 */
export function normaliseStem(stem: string): string {
  const bad = (): Gs1Error => new Gs1Error('INVALID_URI_STEM', `数字链接前缀无效 (the Digital Link URI stem '${stem}' is invalid)`);
  if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*)?$/.test(stem)) throw bad();
  let url: URL;
  try { url = new URL(stem); } catch (error) { throw new Gs1Error('INVALID_URI_STEM', bad().message, { cause: error }); }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function issueError(code: 'INVALID_DIGITAL_LINK', issues: Gs1Issue[]): Gs1Error {
  return new Gs1Error(code, `无法生成 GS1 数字链接 (cannot build a GS1 Digital Link): ${describeIssues(issues)}`, { issues });
}

/** The qualifier sequence of `key` that holds every AI in `present`, in its fixed order; null if none does. */
function qualifierOrder(keyAi: string, present: readonly string[]): readonly string[] | null {
  const sequences = lookupAi(keyAi)?.dlPrimaryKey ?? [];
  const fits = sequences.find((seq) => present.every((ai) => seq.includes(ai)));
  return fits ? fits.filter((ai) => present.includes(ai)) : null;
}

/**
 * Builds a GS1 Digital Link URI from element strings, in any input order: `{stem}/{key}/{value}` then the key
 * qualifiers in the dictionary's `dlpkey` order, then the other AIs as query attributes in input order
 * (e.g. `(17)…(10)…(01)…` → `…/01/…/10/…?17=…`). Throws Gs1Error when there is not exactly one primary key,
 * qualifiers mix alternative sequences, an AI may not appear in a link, or any value is invalid.
 */
export function buildDigitalLink(elements: readonly Gs1Element[], options: { stem?: string } = {}): string {
  const stem = normaliseStem(options.stem ?? DEFAULT_DL_STEM);
  const issues = elements.flatMap((e) => validateElement(e.ai, e.value));
  if (issues.length > 0) throw issueError('INVALID_DIGITAL_LINK', issues);
  const keys = elements.filter((e) => lookupAi(e.ai)?.dlPrimaryKey);
  const key = keys[0];
  if (!key || keys.length > 1) {
    throw issueError('INVALID_DIGITAL_LINK', [{ reason: 'not-allowed-in-link', ai: keys[1]?.ai ?? null, position: 0,
      message: key ? `只能有一个主键，收到 ${keys.map((k) => k.ai).join(', ')} (exactly one primary key allowed)`
        : '缺少主键，如 (01) 或 (00) (no Digital Link primary key such as (01) or (00))' }]);
  }
  const sequences = lookupAi(key.ai)?.dlPrimaryKey ?? [];
  const qualifiers = elements.filter((e) => e !== key && sequences.some((seq) => seq.includes(e.ai)));
  const order = qualifierOrder(key.ai, qualifiers.map((q) => q.ai));
  if (!order) {
    throw issueError('INVALID_DIGITAL_LINK', [{ reason: 'bad-qualifier-order', ai: key.ai, position: 0,
      message: `限定符 ${qualifiers.map((q) => q.ai).join(', ')} 不能同时使用 (qualifiers from alternative sequences cannot be mixed)` }]);
  }
  const attributes = elements.filter((e) => e !== key && !qualifiers.includes(e));
  const refused = attributes.filter((e) => lookupAi(e.ai)?.dlDataAttribute !== true);
  if (refused.length > 0) {
    throw issueError('INVALID_DIGITAL_LINK', refused.map((e) => ({ reason: 'not-allowed-in-link' as const, ai: e.ai, position: 0,
      message: `AI ${e.ai} 不能出现在数字链接中 (not allowed in a Digital Link)` })));
  }
  const path = [key, ...order.map((ai) => qualifiers.find((q) => q.ai === ai))]
    .map((e) => (e ? `/${e.ai}/${percentEncodeDl(e.value)}` : ''))
    .join('');
  const query = attributes.map((e) => `${e.ai}=${percentEncodeDl(e.value)}`).join('&');
  return `${stem}${path}${query ? `?${query}` : ''}`;
}

export type DigitalLinkParseResult =
  | {
    readonly ok: true;
    /** Scheme, host and any path before the primary key. */
    readonly stem: string;
    /** Primary key first, then qualifiers in path order, then query attributes in query order. */
    readonly elements: readonly Gs1Element[];
    /** Query parameters that are not AIs (e.g. `linkType`), decoded. */
    readonly otherParams: readonly (readonly [string, string])[];
  }
  | { readonly ok: false; readonly issues: readonly Gs1Issue[] };

interface Segment { readonly text: string; readonly at: number }

function decode(s: string): string | null {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return null;
  try { return decodeURIComponent(s); } catch { return null; }
}

/**
 * Parses and validates a GS1 Digital Link URI (uncompressed, numeric AIs; DL URI Syntax 1.2 §4): lower-case
 * http/https scheme, a primary key with its qualifiers in `dlpkey` order anywhere after an optional path
 * stem, query attributes that are AIs allowed in links, every value valid. A GTIN of 8, 12 or 13 digits in
 * the path is padded to 14 (DL 1.2 §4.4). Issues carry positions in `uri`.
 */
export function parseDigitalLink(uri: string): DigitalLinkParseResult {
  const issue = (reason: Gs1Issue['reason'], ai: string | null, position: number, message: string): DigitalLinkParseResult =>
    ({ ok: false, issues: [{ reason, ai, position, message }] });
  const scheme = /^https?:\/\//.exec(uri);
  if (!scheme) return issue('bad-syntax', null, 0, '数字链接须以小写 http:// 或 https:// 开头 (must start with lower-case http:// or https://)');
  const hashAt = uri.indexOf('#');
  const body = hashAt >= 0 ? uri.slice(0, hashAt) : uri;
  const queryAt = body.indexOf('?');
  const pathEnd = queryAt >= 0 ? queryAt : body.length;
  const pathStart = body.indexOf('/', scheme[0].length);
  if (pathStart < 0 || pathStart > pathEnd) return issue('bad-syntax', null, pathEnd, '缺少路径，如 /01/… (no path with a primary key)');
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(body.slice(scheme[0].length, pathStart))) return issue('bad-syntax', null, scheme[0].length, '主机名无效 (invalid host)');

  const segments: Segment[] = [];
  let at = pathStart + 1;
  for (const text of body.slice(pathStart + 1, pathEnd).split('/')) {
    segments.push({ text, at });
    at += text.length + 1;
  }
  const n = segments.length;
  let keyIndex = -1;
  let orderIssue: Gs1Issue | null = null;
  for (let i = 0; i < n - 1 && keyIndex < 0; i += 1) {
    const entry = lookupAi(segments[i]?.text ?? '');
    if (!entry?.dlPrimaryKey || (n - i) % 2 !== 0) continue;
    const quals: string[] = [];
    for (let j = i + 2; j < n; j += 2) quals.push(segments[j]?.text ?? '');
    const allQualifiers = quals.every((q) => entry.dlPrimaryKey?.some((seq) => seq.includes(q)));
    if (!allQualifiers) continue;
    const order = qualifierOrder(entry.ai, quals);
    if (order && order.join('/') === quals.join('/') && new Set(quals).size === quals.length) keyIndex = i;
    else orderIssue ??= { reason: 'bad-qualifier-order', ai: entry.ai, position: segments[i]?.at ?? 0,
      message: `限定符 ${quals.join('/')} 顺序或组合无效，应为 ${entry.dlPrimaryKey.map((s) => s.join('/')).join(' 或 ')} (qualifiers out of order)` };
  }
  if (keyIndex < 0) {
    return orderIssue ? { ok: false, issues: [orderIssue] }
      : issue('bad-syntax', null, pathStart, '路径中没有 GS1 主键，如 /01/{GTIN} 或 /00/{SSCC} (no GS1 primary key in the path)');
  }

  const raw: { ai: string; value: string; at: number }[] = [];
  const issues: Gs1Issue[] = [];
  for (let i = keyIndex; i < n; i += 2) {
    const ai = segments[i]?.text ?? '';
    const seg = segments[i + 1] ?? { text: '', at: body.length };
    const value = decode(seg.text);
    if (value === null) { issues.push({ reason: 'bad-syntax', ai, position: seg.at, message: '百分号编码无效 (bad percent-encoding)' }); continue; }
    raw.push({ ai, value: ai === '01' && [8, 12, 13].includes(value.length) && /^\d+$/.test(value) ? value.padStart(14, '0') : value, at: seg.at });
  }
  const otherParams: [string, string][] = [];
  if (queryAt >= 0) {
    let qat = queryAt + 1;
    for (const pair of body.slice(queryAt + 1).split('&')) {
      const eq = pair.indexOf('=');
      const key = decode(eq >= 0 ? pair.slice(0, eq) : pair);
      const value = decode(eq >= 0 ? pair.slice(eq + 1) : '');
      if (pair.length > 0) {
        if (key === null || value === null) {
          issues.push({ reason: 'bad-syntax', ai: null, position: qat, message: '查询参数的百分号编码无效 (bad percent-encoding in the query)' });
        } else if (/^\d+$/.test(key)) {
          const entry = lookupAi(key);
          if (!entry) issues.push({ reason: 'unknown-ai', ai: key, position: qat, message: `未知的应用标识符 (unknown application identifier) ${key}` });
          else if (!entry.dlDataAttribute) issues.push({ reason: 'not-allowed-in-link', ai: key, position: qat, message: `AI ${key} 不能作为数字链接属性 (not allowed as a Digital Link attribute)` });
          else raw.push({ ai: key, value, at: qat + key.length + 1 });
        } else {
          otherParams.push([key, value]);
        }
      }
      qat += pair.length + 1;
    }
  }
  const seen = new Set<string>();
  for (const e of raw) {
    issues.push(...validateElement(e.ai, e.value, e.at));
    if (seen.has(e.ai)) issues.push({ reason: 'duplicate-ai', ai: e.ai, position: e.at, message: `AI ${e.ai} 重复 (repeated)` });
    seen.add(e.ai);
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    stem: body.slice(0, segments[keyIndex]?.at ?? pathStart).replace(/\/$/, ''),
    elements: raw.map((e) => ({ ai: e.ai, value: e.value })),
    otherParams,
  };
}
