import { ALPHABETS } from './alphabet.ts';
import { makeLayout, type RecordLayout } from './record-layout.ts';
import type { SgtinProfile } from './profile.ts';

/**
 * SGTIN serials: the code value of an `sgtin` profile is the GS1 AI (21) serial alone — `length` characters
 * drawn uniformly from `cset82-safe` (6 bits each, no check character; AI 21 has none). The product's GTIN-14
 * (AI 01, check digit validated by validateProfile) is joined to it only in symbol content: element string
 * `(01)GTIN(21)SERIAL`, EPC URN or GS1 Digital Link `…/01/GTIN/21/SERIAL` (notes/standards.md §2.1). Serial
 * uniqueness is per GTIN in GS1; this station keys codes by value, which is stricter.
 */
export function sgtinLayout(profile: SgtinProfile): RecordLayout {
  return makeLayout('', ALPHABETS['cset82-safe'], profile.length, null);
}
