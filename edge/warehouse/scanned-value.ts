import { parseDigitalLink, parseElementString, type Gs1Element } from '../codes/index.ts';

/**
 * The stored code values a scan may stand for, best first. A PDA or dock reader hands over what the symbol holds:
 * the code itself, a GS1 element string from a GS1-128 pallet label (`]C1` `00` + SSCC), a GS1 Digital Link or
 * the brand's own code URL from a QR (`https://c.brand.example/case-outer/<code>`). Codes are stored as the station
 * keeps them (line-fact.ts): an SSCC as its 18 digits, an SGTIN as `01<GTIN-14>21<serial>`, anything else as the
 * text. Pure; the caller looks each candidate up and takes the first one the station knows.
 */
export function scannedCandidates(raw: string): string[] {
  const value = raw.trim();
  const out = [value];
  const fromElements = (elements: readonly Gs1Element[]): void => {
    const sscc = elements.find((e) => e.ai === '00');
    if (sscc !== undefined) out.push(sscc.value);
    const gtin = elements.find((e) => e.ai === '01');
    const serial = elements.find((e) => e.ai === '21');
    if (gtin !== undefined && serial !== undefined) out.push(`01${gtin.value}21${serial.value}`);
  };
  if (/^https?:\/\//.test(value)) {
    const dl = parseDigitalLink(value);
    if (dl.ok) fromElements(dl.elements);
    const path = value.replace(/[?#].*$/, '').split('/').filter((s) => s.length > 0);
    const last = path.at(-1);
    if (last !== undefined && path.length > 2) {
      try { out.push(decodeURIComponent(last)); } catch { /* not a percent-encoded segment: no candidate */ }
    }
  } else if (value.startsWith(']') || value.startsWith('(') || /^(00\d{18}|01\d{14}21)/.test(value)) {
    const parsed = parseElementString(value, { validate: false });
    if (parsed.ok) fromElements(parsed.elements);
  }
  return [...new Set(out.filter((c) => c.length > 0))];
}
