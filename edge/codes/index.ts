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
export { gs1CheckDigit, hasValidGs1CheckDigit } from './gs1-check-digit.ts';
export { SSCC_LENGTH, ssccSerialReferenceDigits } from './sscc.ts';
export { generateCode, generateCodes, generateRecords, recordAt, MAX_RECORDS_PER_CALL, MAX_RECORD_BYTES } from './generate.ts';
export { validateProfile, profileRandomBits, MIN_SECRET_BITS } from './validate-profile.ts';
export type { CodesErrorCode, ProfileIssue } from './errors.ts';
export { CodesError, CodesBug, InvalidProfileError, RandomSourceError } from './errors.ts';
export type { CodeDefect, IdentifyResult, VerifyResult } from './verify-code.ts';
export { identifyCode, verifyCode } from './verify-code.ts';
