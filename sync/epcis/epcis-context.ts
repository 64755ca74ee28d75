/**
 * Where and how this station's events are identified: readPoint / bizLocation, time-zone offset, and the
 * identifier scheme per code kind. The station config supplies the raw object; `parseEpcisContext` checks it
 * once at start-up and returns a frozen value (STYLE.md "Config is parsed once").
 */
import { SyncError } from '../errors.ts';
import { LINE_CODE_KINDS, type LineCodeKind } from './line-fact.ts';

export type Gs1Form = 'epc-urn' | 'digital-link';
export type Gs1KeyScheme = 'sgtin' | 'sscc';

export interface IdentifierConfig {
  /** GS1 keys as EPC URNs (EPCIS's preferred form) or Digital Link URIs. Default 'epc-urn'. */
  readonly gs1Form: Gs1Form;
  /** Digits of the GS1 company prefix (6–12); needed to split a key into an EPC URN (standards.md §2.1). */
  readonly companyPrefixLength?: number;
  /** Digital Link base URI, default `https://id.gs1.org` (canonical; any brand domain is allowed). */
  readonly digitalLinkBase: string;
  /** Kinds whose codes are GS1 keys; the others use `uriTemplate`. */
  readonly gs1Keys: Readonly<Partial<Record<LineCodeKind, Gs1KeyScheme>>>;
  /** URI for non-GS1 codes, e.g. `https://c.brand.example/{kind}/{code}`; must contain `{code}`. */
  readonly uriTemplate: string;
}

export interface EpcisContext {
  /** readPoint id, e.g. `urn:epc:id:sgln:6901234.00001.1` (the line). */
  readonly readPoint?: string;
  /** bizLocation id, e.g. `urn:epc:id:sgln:6901234.00001.0` (the plant). */
  readonly bizLocation?: string;
  /** `eventTimeZoneOffset`, default `+08:00` (China Standard Time). */
  readonly timeZoneOffset: string;
  readonly identifiers: IdentifierConfig;
  /** Namespace for attributes CBV lacks (production date); must also appear in the document `@context`. */
  readonly ilmdNamespace?: { readonly prefix: string; readonly uri: string };
}

const OFFSET = /^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$/;

function bad(path: string, value: unknown, why: string): never {
  throw new SyncError('INVALID_CONFIG', `EPCIS 配置 ${path} 无效: ${why}，收到 ${JSON.stringify(value)} (invalid EPCIS config at ${path}: ${why})`);
}

function optionalUri(raw: Record<string, unknown>, key: string, path: string): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(v)) bad(`${path}.${key}`, v, '应为 URI (must be a URI)');
  return v;
}

/** Checks a raw context object (from config) and returns it frozen, with defaults applied. */
export function parseEpcisContext(raw: unknown, path = 'epcis'): EpcisContext {
  if (typeof raw !== 'object' || raw === null) bad(path, raw, '应为对象 (must be an object)');
  const r = raw as Record<string, unknown>;
  const idsRaw = r['identifiers'];
  if (typeof idsRaw !== 'object' || idsRaw === null) bad(`${path}.identifiers`, idsRaw, '应为对象 (must be an object)');
  const ids = idsRaw as Record<string, unknown>;
  const gs1Form = ids['gs1Form'] ?? 'epc-urn';
  if (gs1Form !== 'epc-urn' && gs1Form !== 'digital-link') bad(`${path}.identifiers.gs1Form`, gs1Form, '应为 epc-urn 或 digital-link');
  const cpl = ids['companyPrefixLength'];
  if (cpl !== undefined && (typeof cpl !== 'number' || !Number.isInteger(cpl) || cpl < 6 || cpl > 12)) {
    bad(`${path}.identifiers.companyPrefixLength`, cpl, '应为 6–12 的整数 (must be an integer 6–12)');
  }
  const gs1KeysRaw = ids['gs1Keys'] ?? {};
  if (typeof gs1KeysRaw !== 'object' || gs1KeysRaw === null) bad(`${path}.identifiers.gs1Keys`, gs1KeysRaw, '应为对象 (must be an object)');
  const gs1Keys: Partial<Record<LineCodeKind, Gs1KeyScheme>> = {};
  for (const [kind, scheme] of Object.entries(gs1KeysRaw)) {
    if (!(LINE_CODE_KINDS as readonly string[]).includes(kind)) bad(`${path}.identifiers.gs1Keys.${kind}`, kind, `未知码类 (unknown code kind; one of ${LINE_CODE_KINDS.join(', ')})`);
    if (scheme !== 'sgtin' && scheme !== 'sscc') bad(`${path}.identifiers.gs1Keys.${kind}`, scheme, '应为 sgtin 或 sscc');
    gs1Keys[kind as LineCodeKind] = scheme;
  }
  if (gs1Form === 'epc-urn' && Object.keys(gs1Keys).length > 0 && cpl === undefined) {
    bad(`${path}.identifiers.companyPrefixLength`, cpl, 'EPC URN 需要厂商识别代码长度 (EPC URNs need the company prefix length)');
  }
  const template = ids['uriTemplate'];
  if (typeof template !== 'string' || !template.includes('{code}') || !/^https?:\/\/[^/{}]+\//.test(template)) {
    bad(`${path}.identifiers.uriTemplate`, template, '应为含 {code} 的 http(s) URI 模板 (must be an http(s) URI template containing {code})');
  }
  const base = ids['digitalLinkBase'] ?? 'https://id.gs1.org';
  if (typeof base !== 'string' || !/^https?:\/\/[^/]+(\/[^?#]*)?$/.test(base) || base.endsWith('/')) {
    bad(`${path}.identifiers.digitalLinkBase`, base, '应为不以 / 结尾的 http(s) URI (must be an http(s) URI without trailing /)');
  }
  const offset = r['timeZoneOffset'] ?? '+08:00';
  if (typeof offset !== 'string' || !OFFSET.test(offset)) bad(`${path}.timeZoneOffset`, offset, '应为 ±hh:mm (must be ±hh:mm)');
  let ilmdNamespace: EpcisContext['ilmdNamespace'];
  const ns = r['ilmdNamespace'];
  if (ns !== undefined) {
    const n = ns as Record<string, unknown>;
    if (typeof n['prefix'] !== 'string' || !/^[a-z][a-z0-9]*$/.test(n['prefix'])) bad(`${path}.ilmdNamespace.prefix`, n['prefix'], '应为小写字母前缀 (must be a lower-case prefix)');
    if (typeof n['uri'] !== 'string' || !/^https?:\/\/\S+[/#]$/.test(n['uri'])) bad(`${path}.ilmdNamespace.uri`, n['uri'], '应为以 / 或 # 结尾的 URI (must be a URI ending in / or #)');
    ilmdNamespace = Object.freeze({ prefix: n['prefix'], uri: n['uri'] });
  }
  const readPoint = optionalUri(r, 'readPoint', path);
  const bizLocation = optionalUri(r, 'bizLocation', path);
  return Object.freeze({
    ...(readPoint === undefined ? {} : { readPoint }),
    ...(bizLocation === undefined ? {} : { bizLocation }),
    timeZoneOffset: offset,
    identifiers: Object.freeze({
      gs1Form,
      ...(cpl === undefined ? {} : { companyPrefixLength: cpl }),
      digitalLinkBase: base,
      gs1Keys: Object.freeze(gs1Keys),
      uriTemplate: template,
    }),
    ...(ilmdNamespace === undefined ? {} : { ilmdNamespace }),
  });
}
