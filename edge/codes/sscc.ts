import { ALPHABETS } from './alphabet.ts';
import { gs1CheckTable } from '../domain/gs1-check-digit.ts';
import { makeLayout, type RecordLayout } from './record-layout.ts';
import type { SsccProfile } from './profile.ts';

/**
 * SSCC, AI (00), 18 digits (GS1 General Specifications §2.2.1; notes/standards.md §2.1):
 * extension digit (1) + GS1 company prefix (7–12) + serial reference (16 − prefix length, 9…4 digits) +
 * mod-10 check digit (1). The serial reference is drawn uniformly at random (rejection sampling); it carries
 * only (16 − prefix length) · log2 10 ≈ 13–30 bits, so SSCCs are for visible kinds (pallet, case-outer), and
 * duplicates are expected at volume: the database key rejects them and the caller draws again.
 */
export const SSCC_LENGTH = 18;

/** Digits of the random serial reference for a company prefix of `companyPrefixLength` digits. */
export function ssccSerialReferenceDigits(companyPrefixLength: number): number {
  return SSCC_LENGTH - 2 - companyPrefixLength;
}

export function ssccLayout(profile: SsccProfile): RecordLayout {
  const fixed = `${profile.extensionDigit}${profile.companyPrefix}`;
  return makeLayout(fixed, ALPHABETS.digits, ssccSerialReferenceDigits(profile.companyPrefix.length), gs1CheckTable(SSCC_LENGTH - 1));
}
