import type { CodeKind } from '../domain/kinds.ts';

/**
 * How the codes of one kind are made (DESIGN §5). A product carries one profile per kind.
 *
 * - `random`: `prefix` + `length` characters drawn uniformly from `alphabet` by rejection sampling from the
 *   OS CSPRNG + (if `check`) one ISO/IEC 7064 check character (MOD 37,36 for alphanumeric alphabets,
 *   MOD 11,10 for digits). Secret kinds (cap-inner, case-inner) must carry ≥ 80 random bits.
 * - `sscc`: an 18-digit SSCC (extension digit + GS1 company prefix + random serial reference + mod-10 check).
 * - `sgtin`: a GS1 AI (21) serial of `length` random characters from a CSET 82 subset without `% & / < > ?`,
 *   for the product's GTIN.
 *
 * `content` says what a symbol carries: the bare code, a URL from a template (`{code}`, `{kind}`,
 * `{gtin}`), or a GS1 Digital Link URI on `domain`.
 */
export type AlphabetName = 'crockford32' | 'digits' | 'cset82-safe';

export type ProfileContent =
  | { readonly type: 'plain' }
  | { readonly type: 'url'; readonly template: string }
  | { readonly type: 'digital-link'; readonly domain: string };

export interface RandomProfile {
  readonly scheme: 'random';
  readonly kind: CodeKind;
  readonly alphabet: AlphabetName;
  readonly length: number;
  readonly prefix: string;
  readonly check: boolean;
  readonly content: ProfileContent;
}

export interface SsccProfile {
  readonly scheme: 'sscc';
  readonly kind: CodeKind;
  readonly extensionDigit: number;
  readonly companyPrefix: string;
  readonly content: ProfileContent;
}

export interface SgtinProfile {
  readonly scheme: 'sgtin';
  readonly kind: CodeKind;
  readonly gtin: string;
  readonly length: number;
  readonly content: ProfileContent;
}

export type CodeProfile = RandomProfile | SsccProfile | SgtinProfile;

const plain: ProfileContent = { type: 'plain' };

/** Defaults: 16 Crockford characters (80 bits) for secret kinds, 12 (60 bits) for visible ones, one check char. */
export const DEFAULT_PROFILES: Readonly<Record<CodeKind, CodeProfile>> = {
  'cap-inner': { scheme: 'random', kind: 'cap-inner', alphabet: 'crockford32', length: 16, prefix: '', check: true, content: plain },
  'cap-outer': { scheme: 'random', kind: 'cap-outer', alphabet: 'crockford32', length: 12, prefix: '', check: true, content: plain },
  'case-inner': { scheme: 'random', kind: 'case-inner', alphabet: 'crockford32', length: 16, prefix: '', check: true, content: plain },
  'case-outer': { scheme: 'random', kind: 'case-outer', alphabet: 'crockford32', length: 12, prefix: '', check: true, content: plain },
  pallet: { scheme: 'random', kind: 'pallet', alphabet: 'crockford32', length: 12, prefix: '', check: true, content: plain },
  box: { scheme: 'random', kind: 'box', alphabet: 'crockford32', length: 12, prefix: '', check: true, content: plain },
};
