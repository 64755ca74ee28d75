/**
 * The EPCIS Event Hash ID (CBV 2.0 §8.9; RFC 6920 `ni:` URI): `ni:///sha-256;<lowercase hex>?ver=CBV2.0`,
 * the SHA-256 of a canonical "pre-hash" string built from the event (notes/standards.md §1.6).
 *
 * Pre-hash: `key=value` items (containers contribute only their name) concatenated without separators, in the
 * fixed order of `FIELD_ORDER`; list items sorted by UTF-16 code unit after canonicalisation; eventID,
 * recordTime, errorDeclaration, certificationInfo and comments are not hashed; times are UTC with exactly
 * three fraction digits (rounded half up); identifiers are canonical Digital Link URIs; CBV words are
 * `https://ref.gs1.org/cbv/…` URIs; user extensions are `{namespace}local=value`, sorted.
 *
 * Scope: everything the line emits plus the general event fields of EPCIS 2.0. Sensor data
 * (`sensorElementList`) is refused with INVALID_EVENT: its canonicalisation differs between hasher versions
 * (standards.md §1.6 "version drift") and the station never emits it.
 */
import { hash } from 'node:crypto';
import { SyncError } from '../errors.ts';
import { canonicalIdentifier, canonicalVocabulary, type CbvVocabulary } from './canonical-identifier.ts';

export type CbvVersion = '2.0' | '2.1';

export interface HashOptions {
  /** CBV version in the `?ver=` suffix. Default '2.0' (OpenEPCIS default; standards.md §5 point 2). */
  readonly cbvVersion?: CbvVersion;
  /** CURIE prefixes in scope (from the document's `@context`), added to the EPCIS 2.0 context's own ones. */
  readonly prefixes?: Readonly<Record<string, string>>;
  /**
   * Extension fields a repository added after capture and that are not part of the event's identity
   * (hash-generator convention: a document-level `…:ignoreFields` list, e.g. a repository's own hash field).
   */
  readonly ignoreFields?: readonly string[];
}

/** Prefixes the EPCIS 2.0 JSON-LD context defines that can appear in extension keys and ilmd. */
const CONTEXT_PREFIXES: Readonly<Record<string, string>> = {
  cbvmda: 'urn:epcglobal:cbv:mda:',
  gs1: 'https://gs1.org/voc/',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
};

/** Top-level keys that are standard EPCIS fields (hashed by their rule, or deliberately not hashed). */
const STANDARD_KEYS = new Set([
  '@context', 'type', 'eventID', 'recordTime', 'errorDeclaration', 'certificationInfo', 'eventTime',
  'eventTimeZoneOffset', 'parentID', 'epcList', 'inputEPCList', 'childEPCs', 'quantityList', 'childQuantityList',
  'inputQuantityList', 'outputEPCList', 'outputQuantityList', 'action', 'transformationID', 'bizStep',
  'disposition', 'persistentDisposition', 'readPoint', 'bizLocation', 'bizTransactionList', 'sourceList',
  'destinationList', 'sensorElementList', 'ilmd',
]);

/** Comment keys are documentation, not data (hash-generator `epcisDocHavingEventWithComment`). */
const COMMENT_KEYS = new Set(['comment', 'rdfs:comment', 'http://www.w3.org/2000/01/rdf-schema#comment']);

function fail(detail: string): never {
  throw new SyncError('INVALID_EVENT', `事件无法计算哈希: ${detail} (event cannot be hashed: ${detail})`);
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Time → `YYYY-MM-DDTHH:mm:ss.sssZ` in UTC. Fractions beyond milliseconds are rounded half up
 * (`.1415` → `.142`, hash-generator vector TimeStampRoundOff), carrying into seconds when needed.
 */
export function canonicalTime(value: unknown, field: string): string {
  return isoTime(canonicalEpochMs(value, field));
}

/** The instant of `canonicalTime` as epoch ms (the same rounding); throws INVALID_EVENT like it. */
export function canonicalEpochMs(value: unknown, field: string): number {
  if (typeof value !== 'string') fail(`${field} 不是字符串 (${field} is not a string)`);
  // The receiver asks for the instant of the eventTime it has just hashed: remember the last answer.
  if (value === lastTimeText) return lastTimeMs;
  const m = TIME.exec(value);
  if (!m) fail(`${field} 时间格式错误 "${value}" (${field} is not an RFC 3339 date-time)`);
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const digits = `${frac}0000`;
  let ms = Number(digits.slice(0, 3));
  if (Number(digits[3]) >= 5) ms += 1;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + ms;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  if (!Number.isFinite(t)) fail(`${field} 时间无效 "${value}" (${field} is not a valid time)`);
  lastTimeText = value;
  lastTimeMs = t;
  return t;
}

let lastTimeText: string | undefined;
let lastTimeMs = 0;

/** Last minute formatted by `isoTime`: events of one capture mostly share it, so the Date is built once. */
let isoMinute = Number.NaN;
let isoMinutePrefix = '';

/**
 * `new Date(t).toISOString()` for an epoch-ms time, reusing the `YYYY-MM-DDTHH:mm:` of the previous call when
 * it falls in the same minute. Years outside 0000–9999 (extended ISO form) always take the Date path.
 */
function isoTime(t: number): string {
  if (!(t >= 0 && t < 253_402_300_800_000)) return new Date(t).toISOString();
  const minute = Math.floor(t / 60_000);
  if (minute !== isoMinute) {
    isoMinute = minute;
    isoMinutePrefix = new Date(minute * 60_000).toISOString().slice(0, 17);
  }
  const rest = t - minute * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  return `${isoMinutePrefix}${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/**
 * `canonicalIdentifier`, remembered: readPoint, bizLocation and parent codes repeat from event to event. The
 * function is pure, so a cached answer is the answer; the cache is dropped whole when it fills up.
 */
const canonicalCache = new Map<string, string>();

function canonicalId(uri: string): string {
  let out = canonicalCache.get(uri);
  if (out === undefined) {
    out = canonicalIdentifier(uri);
    if (canonicalCache.size >= 4096) canonicalCache.clear();
    canonicalCache.set(uri, out);
  }
  return out;
}

/** Numbers without trailing zeros or exponent noise (`10.0` → `10`, `200.50` → `200.5`). */
function canonicalNumber(n: number): string {
  return String(n);
}

function scalar(value: unknown): string {
  if (typeof value === 'number') return canonicalNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  return fail(`不支持的取值 ${JSON.stringify(value)} (unsupported value)`);
}

function sortedJoin(items: string[]): string {
  if (items.length < 2) return items.length === 0 ? '' : items[0] ?? '';
  return items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('');
}

function asArray(value: unknown, field: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`${field} 应为数组 (${field} must be an array)`);
  return value;
}

function epcItems(value: unknown, field: string): string {
  const items = asArray(value, field).map((v) => `epc=${canonicalId(scalar(v))}`);
  return items.length === 0 ? '' : `${field}${sortedJoin(items)}`;
}

function quantityItems(value: unknown, field: string): string {
  const items = asArray(value, field).map((q) => {
    const e = q as Record<string, unknown>;
    let s = `quantityElementepcClass=${canonicalId(scalar(e['epcClass']))}`;
    if (e['quantity'] !== undefined) s += `quantity=${scalar(e['quantity'])}`;
    if (e['uom'] !== undefined) s += `uom=${scalar(e['uom'])}`;
    return s;
  });
  return items.length === 0 ? '' : `${field}${sortedJoin(items)}`;
}

function typedList(value: unknown, field: string, itemKey: string, family: CbvVocabulary): string {
  const items = asArray(value, field).map((x) => {
    const e = x as Record<string, unknown>;
    const type = e['type'] === undefined ? '' : `type=${canonicalVocabulary(family, scalar(e['type']))}`;
    return `${type}${itemKey}=${canonicalId(scalar(e[itemKey]))}`;
  });
  return items.length === 0 ? '' : `${field}${sortedJoin(items)}`;
}

/** `prefix:local` or a full URI → `{namespace}local`; keys without a namespace are kept as they are. */
function expandKey(key: string, prefixes: Readonly<Record<string, string>>): string {
  const colon = key.indexOf(':');
  if (colon > 0 && !key.includes('//')) {
    const ns = prefixes[key.slice(0, colon)];
    if (ns !== undefined) return `{${ns}}${key.slice(colon + 1)}`;
  }
  const cut = Math.max(key.lastIndexOf('/'), key.lastIndexOf('#'));
  if (/^[a-z][a-z0-9+.-]*:/i.test(key) && cut > 0) return `{${key.slice(0, cut + 1)}}${key.slice(cut + 1)}`;
  return key;
}

/** One extension member → its pre-hash items (nested objects contribute their name, then their sorted children). */
function extensionItems(key: string, value: unknown, prefixes: Readonly<Record<string, string>>): string[] {
  const name = expandKey(key, prefixes);
  if (Array.isArray(value)) return value.flatMap((v) => extensionItems(key, v, prefixes));
  if (value !== null && typeof value === 'object') {
    const children = Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !k.startsWith('@'))
      .flatMap(([k, v]) => extensionItems(k, v, prefixes));
    return [`${name}${sortedJoin(children)}`];
  }
  return [`${name}=${scalar(value)}`];
}

function locationId(value: unknown, field: string): string {
  if (value === undefined) return '';
  const id = (value as Record<string, unknown>)['id'];
  return `${field}id=${canonicalId(scalar(id))}`;
}

function hasKeys(o: Readonly<Record<string, string>> | undefined): boolean {
  if (o === undefined) return false;
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

/** The canonical pre-hash string of one event (exported for the vector tests and for diagnostics). */
export function prehashString(event: Readonly<Record<string, unknown>>, options: HashOptions = {}): string {
  const prefixes = hasKeys(options.prefixes) ? { ...CONTEXT_PREFIXES, ...options.prefixes } : CONTEXT_PREFIXES;
  if (event['sensorElementList'] !== undefined) fail('含传感器数据 sensorElementList (sensor data is not supported)');
  const e = event;
  let out = `eventType=${scalar(e['type'])}`;
  out += `eventTime=${canonicalTime(e['eventTime'], 'eventTime')}`;
  out += `eventTimeZoneOffset=${scalar(e['eventTimeZoneOffset'])}`;
  if (e['parentID'] !== undefined) out += `parentID=${canonicalId(scalar(e['parentID']))}`;
  out += epcItems(e['epcList'], 'epcList');
  out += epcItems(e['inputEPCList'], 'inputEPCList');
  out += epcItems(e['childEPCs'], 'childEPCs');
  out += quantityItems(e['quantityList'], 'quantityList');
  out += quantityItems(e['childQuantityList'], 'childQuantityList');
  out += quantityItems(e['inputQuantityList'], 'inputQuantityList');
  out += epcItems(e['outputEPCList'], 'outputEPCList');
  out += quantityItems(e['outputQuantityList'], 'outputQuantityList');
  if (e['action'] !== undefined) out += `action=${scalar(e['action'])}`;
  if (e['transformationID'] !== undefined) out += `transformationID=${canonicalId(scalar(e['transformationID']))}`;
  if (e['bizStep'] !== undefined) out += `bizStep=${canonicalVocabulary('BizStep', scalar(e['bizStep']))}`;
  if (e['disposition'] !== undefined) out += `disposition=${canonicalVocabulary('Disp', scalar(e['disposition']))}`;
  const pd = e['persistentDisposition'] as Record<string, unknown> | undefined;
  if (pd !== undefined) {
    const set = asArray(pd['set'], 'persistentDisposition.set').map((v) => `set=${canonicalVocabulary('Disp', scalar(v))}`);
    const unset = asArray(pd['unset'], 'persistentDisposition.unset').map((v) => `unset=${canonicalVocabulary('Disp', scalar(v))}`);
    out += `persistentDisposition${sortedJoin(set)}${sortedJoin(unset)}`;
  }
  out += locationId(e['readPoint'], 'readPoint');
  out += locationId(e['bizLocation'], 'bizLocation');
  out += typedList(e['bizTransactionList'], 'bizTransactionList', 'bizTransaction', 'BTT');
  out += typedList(e['sourceList'], 'sourceList', 'source', 'SDT');
  out += typedList(e['destinationList'], 'destinationList', 'destination', 'SDT');
  const ilmd = e['ilmd'];
  if (ilmd !== undefined && ilmd !== null && typeof ilmd === 'object') {
    const items = Object.entries(ilmd as Record<string, unknown>).flatMap(([k, v]) => extensionItems(k, v, prefixes));
    if (items.length > 0) out += `ilmd${sortedJoin(items)}`;
  }
  const ignored = options.ignoreFields !== undefined && options.ignoreFields.length > 0
    ? new Set(options.ignoreFields.map((k) => expandKey(k, prefixes)))
    : null;
  const extensions: string[] = [];
  for (const k of Object.keys(e)) {
    if (STANDARD_KEYS.has(k) || COMMENT_KEYS.has(k) || (ignored !== null && ignored.has(expandKey(k, prefixes)))) continue;
    extensions.push(...extensionItems(k, e[k], prefixes));
  }
  out += sortedJoin(extensions);
  return out;
}

/** The `ni:` event hash ID of an event. */
export function eventHashId(event: Readonly<Record<string, unknown>>, options: HashOptions = {}): string {
  const hex = hash('sha256', prehashString(event, options), 'hex');
  return `ni:///sha-256;${hex}?ver=CBV${options.cbvVersion ?? '2.0'}`;
}
