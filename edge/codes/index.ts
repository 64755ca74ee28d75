/**
 * edge/codes — code generation and verification (DESIGN §5). Pure: no `node:*`, randomness through the
 * injected RandomSource port. Explicit export list (STYLE.md "Shape"); the GS1 syntax and symbol-content
 * modules add their lines below.
 */
export type { AlphabetName, CodeProfile, ProfileContent, RandomProfile, SgtinProfile, SsccProfile } from './profile.ts';
export { DEFAULT_PROFILES } from './profile.ts';
export type { RandomSource } from './random-source.ts';
export { webCryptoRandom } from './random-source.ts';
export type { Alphabet } from './alphabet.ts';
export { ALPHABETS, ALPHABET_NAMES, isAlphabetName } from './alphabet.ts';
export type { CheckSystem } from './check-char.ts';
export { computeCheckChar, hasValidCheckChar } from './check-char.ts';
export { gs1CheckDigit, hasValidGs1CheckDigit } from '../domain/gs1-check-digit.ts';
export { SSCC_LENGTH, ssccSerialReferenceDigits } from './sscc.ts';
export { generateCode, generateCodes, generateRecords, recordAt, MAX_RECORDS_PER_CALL, MAX_RECORD_BYTES } from './generate.ts';
export { validateProfile, profileRandomBits, MIN_SECRET_BITS } from './validate-profile.ts';
export type { CodesErrorCode, ProfileIssue } from './errors.ts';
export { CodesError, CodesBug, InvalidProfileError, RandomSourceError } from './errors.ts';
export type { CodeDefect, IdentifyResult, VerifyResult } from './verify-code.ts';
export { identifyCode, verifyCode } from './verify-code.ts';
export type { AiEntry, AiComponent, AiCharset } from './gs1/ai-entry.ts';
export type { Gs1Element, Gs1Issue, Gs1IssueReason } from './gs1/issue.ts';
export { lookupAi } from './gs1/ai-table.ts';
export { GS, parseElementString, toRawElementString, toBracketedElementString } from './gs1/element-string.ts';
export type { Gs1ParseResult } from './gs1/element-string.ts';
export { buildDigitalLink, parseDigitalLink, percentEncodeDl, normaliseStem, DEFAULT_DL_STEM } from './gs1/digital-link.ts';
export type { DigitalLinkParseResult } from './gs1/digital-link.ts';
export { validateElement } from './gs1/validate-element.ts';
export { Gs1Error } from './gs1/errors.ts';
export type { Gs1ErrorCode } from './gs1/errors.ts';
export { symbolContent } from './content.ts';
export type { SymbolContent, SymbolContext } from './content.ts';
