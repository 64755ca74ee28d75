/**
 * Station code → EPCIS identifier URI (standards.md §1.4, §2.1). GS1 keys become EPC URNs (TDS 2.1 §6.3.1 SGTIN,
 * §6.3.2 SSCC) or Digital Link URIs; every other code becomes the configured template URI.
 */
import { SyncError } from '../errors.ts';
import { gs1CheckDigit } from './canonical-identifier.ts';
import type { IdentifierConfig } from './epcis-context.ts';
import type { LineCodeKind } from './line-fact.ts';
import { displayLineCode } from './mask-secret.ts';

function invalid(kind: LineCodeKind, code: string, why: string): never {
  throw new SyncError('INVALID_EVENT', `${kind} 码 "${displayLineCode(code, kind)}" 无效: ${why} (invalid ${kind} code: ${why})`);
}

/** EPC URN serial escaping (TDS 2.1 §6.3.1 table): `" % & / < > ?` percent-encoded, other CSET 82 literal. */
function urnEscape(serial: string): string {
  return serial.replace(/["%&/<>?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Digital Link path escaping (DL 1.2): `" % & / < > ? #` percent-encoded. */
function dlEscape(serial: string): string {
  return serial.replace(/["%&/<>?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** CSET 82 (GS1 General Specifications §7.11, Figure 7.11-1), 1–20 characters: AI 21 serial. */
const CSET82_SERIAL = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

function companyPrefixLength(cfg: IdentifierConfig, kind: LineCodeKind, code: string): number {
  if (cfg.companyPrefixLength === undefined) invalid(kind, code, '未配置厂商识别代码长度 (companyPrefixLength not configured)');
  return cfg.companyPrefixLength;
}

function sscc(cfg: IdentifierConfig, kind: LineCodeKind, code: string): string {
  if (!/^\d{18}$/.test(code)) invalid(kind, code, 'SSCC 应为 18 位数字 (SSCC must be 18 digits)');
  if (gs1CheckDigit(code.slice(0, 17)) !== code.slice(17)) invalid(kind, code, 'SSCC 校验位错误 (wrong SSCC check digit)');
  if (cfg.gs1Form === 'digital-link') return `${cfg.digitalLinkBase}/00/${code}`;
  const l = companyPrefixLength(cfg, kind, code);
  return `urn:epc:id:sscc:${code.slice(1, 1 + l)}.${code.slice(0, 1)}${code.slice(1 + l, 17)}`;
}

function sgtin(cfg: IdentifierConfig, kind: LineCodeKind, code: string): string {
  const m = /^\(?01\)?(\d{14})\(?21\)?(.+)$/.exec(code);
  if (!m) invalid(kind, code, 'SGTIN 应为 01<GTIN-14>21<序列号> (SGTIN must be 01<GTIN-14>21<serial>)');
  const gtin = m[1] ?? '';
  const serial = m[2] ?? '';
  if (gs1CheckDigit(gtin.slice(0, 13)) !== gtin.slice(13)) invalid(kind, code, 'GTIN 校验位错误 (wrong GTIN check digit)');
  if (!CSET82_SERIAL.test(serial)) invalid(kind, code, '序列号须为 1–20 个 GS1 字符集 82 字符 (serial must be 1–20 CSET 82 characters)');
  if (cfg.gs1Form === 'digital-link') return `${cfg.digitalLinkBase}/01/${gtin}/21/${dlEscape(serial)}`;
  const l = companyPrefixLength(cfg, kind, code);
  return `urn:epc:id:sgtin:${gtin.slice(1, 1 + l)}.${gtin.slice(0, 1)}${gtin.slice(1 + l, 13)}.${urnEscape(serial)}`;
}

/** The identifier URI of one code of a kind. Throws INVALID_EVENT (code masked when secret) on a bad code. */
export function identifierFor(cfg: IdentifierConfig, kind: LineCodeKind, code: string): string {
  if (typeof code !== 'string' || code.length === 0) invalid(kind, String(code), '空码 (empty code)');
  const scheme = cfg.gs1Keys[kind];
  if (scheme === 'sscc') return sscc(cfg, kind, code);
  if (scheme === 'sgtin') return sgtin(cfg, kind, code);
  if (/[\s\u0000-\u001f]/.test(code)) invalid(kind, code, '含空白或控制字符 (contains whitespace or control characters)');
  return cfg.uriTemplate.replaceAll('{kind}', kind).replaceAll('{code}', encodeURIComponent(code));
}
