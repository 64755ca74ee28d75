/**
 * Canonical forms used by the EPCIS Event Hash ID (CBV 2.0 §8.9 "Event hash ID", pre-hash rules 3–5):
 * every GS1 identifier becomes a canonical GS1 Digital Link URI on `https://id.gs1.org` without query string,
 * and every bare CBV word or `urn:epcglobal:cbv:…` vocabulary URN becomes its `https://ref.gs1.org/cbv/…` URI.
 * Anything else (private URIs, `geo:` readPoints, `urn:epcglobal:cbv:bt:` transaction ids) is left untouched.
 */

/** GS1 check digit (GS1 General Specifications §7.9.1): weights 3,1,3,… from the rightmost data digit. */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    const d = digits.charCodeAt(digits.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

/**
 * Characters percent-encoded inside canonical Digital Link path values (upstream 2026 canonicalisation, DL 1.2
 * grammar): `" % & / < > ? #`. All other CSET 82 characters stay literal.
 */
function dlEscape(value: string): string {
  return value.replace(/["%&/<>?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** EPC URN components are percent-escaped (TDS 2.1 §6.3 table of escaped characters); decode them first. */
function urnUnescape(value: string): string {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function gtin14(companyPrefix: string, indicatorAndItemRef: string): string {
  const body = `${indicatorAndItemRef.slice(0, 1)}${companyPrefix}${indicatorAndItemRef.slice(1)}`;
  return `${body}${gs1CheckDigit(body)}`;
}

function withCheck(body: string): string {
  return `${body}${gs1CheckDigit(body)}`;
}

const DL = 'https://id.gs1.org';

/** Serial-level EPC URN schemes (TDS 2.1 §6.3): URN parts → DL path. */
const ID_SCHEMES: Readonly<Record<string, (p: readonly string[], rest: (from: number) => string) => string>> = {
  sgtin: (p, rest) => `/01/${gtin14(p[0] ?? '', p[1] ?? '')}/21/${rest(2)}`,
  sscc: (p) => `/00/${withCheck(`${(p[1] ?? '').slice(0, 1)}${p[0] ?? ''}${(p[1] ?? '').slice(1)}`)}`,
  sgln: (p, rest) => {
    const gln = withCheck(`${p[0] ?? ''}${p[1] ?? ''}`);
    const ext = rest(2);
    return ext === '0' || ext === '' ? `/414/${gln}` : `/414/${gln}/254/${ext}`;
  },
  pgln: (p) => `/417/${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}`,
  grai: (p, rest) => `/8003/0${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}${rest(2)}`,
  giai: (p, rest) => `/8004/${p[0] ?? ''}${rest(1)}`,
  gsrn: (p) => `/8018/${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}`,
  gsrnp: (p) => `/8017/${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}`,
  gdti: (p, rest) => `/253/${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}${rest(2)}`,
  sgcn: (p, rest) => `/255/${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}${rest(2)}`,
  ginc: (p, rest) => `/401/${p[0] ?? ''}${rest(1)}`,
  gsin: (p) => `/402/${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}`,
  cpi: (p, rest) => `/8010/${p[0] ?? ''}${dlEscape(urnUnescape(p[1] ?? ''))}/8011/${rest(2)}`,
  itip: (p, rest) => `/8006/${gtin14(p[0] ?? '', p[1] ?? '')}${p[2] ?? ''}${p[3] ?? ''}/21/${rest(4)}`,
  upui: (p, rest) => `/01/${gtin14(p[0] ?? '', p[1] ?? '')}/235/${rest(2)}`,
};

/** Class-level patterns (`urn:epc:idpat:<scheme>:…*`, TDS 2.1 §8): the key without its serial part. */
const PATTERN_SCHEMES: Readonly<Record<string, (p: readonly string[]) => string>> = {
  sgtin: (p) => `/01/${gtin14(p[0] ?? '', p[1] ?? '')}`,
  grai: (p) => `/8003/0${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}`,
  gdti: (p) => `/253/${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}`,
  sgcn: (p) => `/255/${withCheck(`${p[0] ?? ''}${p[1] ?? ''}`)}`,
  cpi: (p) => `/8010/${p[0] ?? ''}${dlEscape(urnUnescape(p[1] ?? ''))}`,
  itip: (p) => `/8006/${gtin14(p[0] ?? '', p[1] ?? '')}${p[2] ?? ''}${p[3] ?? ''}`,
};

/** EPC URN (TDS 2.1 §6, §8) → canonical Digital Link, or null when the URN scheme is not one we know. */
function epcUrnToDigitalLink(uri: string): string | null {
  const m = /^urn:epc:(id|class|idpat):([a-z]+):(.*)$/.exec(uri);
  if (!m) return null;
  const [, ns, scheme = '', body = ''] = m;
  const p = body.split('.');
  const rest = (from: number): string => dlEscape(urnUnescape(p.slice(from).join('.')));
  if (ns === 'id') {
    const build = ID_SCHEMES[scheme];
    return build ? `${DL}${build(p, rest)}` : null;
  }
  if (ns === 'class' && scheme === 'lgtin') return `${DL}/01/${gtin14(p[0] ?? '', p[1] ?? '')}/10/${rest(2)}`;
  if (ns === 'idpat' && p[p.length - 1] === '*') {
    const build = PATTERN_SCHEMES[scheme];
    return build ? `${DL}${build(p)}` : null;
  }
  return null;
}

/** Legacy short names of DL path segments (DL 1.2 §, "convenience alphas") → numeric AIs. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  gtin: '01', sscc: '00', gln: '414', party: '417', grai: '8003', giai: '8004', gsrn: '8018', gsrnp: '8017',
  gdti: '253', gcn: '255', ginc: '401', gsin: '402', cpid: '8010', cpv: '22', lot: '10', ser: '21',
  glnx: '254', cpsn: '8011', itip: '8006', upui: '235',
};

/** Primary-key AIs that start the path of a Digital Link URI (DL 1.2 grammar, `primaryKey`). */
const DL_PRIMARY = /\/(00|01|253|255|401|402|414|417|8003|8004|8006|8010|8017|8018|gtin|sscc|gln|party|grai|giai|gsrn|gsrnp|gdti|gcn|ginc|gsin|cpid|itip)\/[^/?#]/;

/** Any-domain Digital Link → `https://id.gs1.org/…` from the primary key on, query and fragment dropped. */
function digitalLinkToCanonical(uri: string): string | null {
  if (!/^https?:\/\//i.test(uri) || uri.startsWith('https://ref.gs1.org/')) return null;
  const noQuery = uri.replace(/[?#].*$/, '');
  const afterHost = noQuery.replace(/^https?:\/\/[^/]+/i, '');
  const m = DL_PRIMARY.exec(afterHost);
  if (!m) return null;
  const path = afterHost.slice(m.index);
  const decoded = path.split('/').map((seg, i) => (i % 2 === 1 ? SHORT_NAMES[seg] ?? seg : dlEscape(decodeURIComponent(seg)))).join('/');
  return `${DL}${decoded}`;
}

/** Canonical identifier for the pre-hash: GS1 keys → canonical DL; other URIs unchanged. */
export function canonicalIdentifier(uri: string): string {
  return epcUrnToDigitalLink(uri) ?? digitalLinkToCanonical(uri) ?? uri;
}

/** CBV vocabulary families that have a bare-word JSON form (CBV 2.0 §7; JSON-LD context `cbv-context-*`). */
export type CbvVocabulary = 'BizStep' | 'Disp' | 'BTT' | 'SDT' | 'ER';

const URN_SEGMENT: Readonly<Record<CbvVocabulary, string>> = {
  BizStep: 'bizstep', Disp: 'disp', BTT: 'btt', SDT: 'sdt', ER: 'er',
};

/** Bare CBV word or `urn:epcglobal:cbv:<family>:<word>` → `https://ref.gs1.org/cbv/<Family>-<word>`. */
export function canonicalVocabulary(family: CbvVocabulary, value: string): string {
  if (/^[A-Za-z_]+$/.test(value)) return `https://ref.gs1.org/cbv/${family}-${value}`;
  const prefix = `urn:epcglobal:cbv:${URN_SEGMENT[family]}:`;
  if (value.startsWith(prefix)) return `https://ref.gs1.org/cbv/${family}-${value.slice(prefix.length)}`;
  return value;
}
