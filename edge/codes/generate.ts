import { profileLayout } from './profile-layout.ts';
import type { CodeProfile } from './profile.ts';
import type { RandomSource } from './random-source.ts';
import { writeRecords } from './write-records.ts';

/** Most codes one call may make; bulk callers work in chunks (the bulk writer uses 1M-code batches). */
export const MAX_RECORDS_PER_CALL = 50_000_000;
/** Largest record array one call may allocate (1 GiB), whatever the width. */
export const MAX_RECORD_BYTES = 2 ** 30;

/**
 * `count` new codes of `profile` as fixed-width ASCII records: `bytes` holds `count × width` bytes, code i at
 * `[i·width, (i+1)·width)`, no separators. Every code of a profile has the same width (prefix + random
 * characters + check character; SSCC 18; SGTIN serial = length). Throws InvalidProfileError for a bad
 * profile (including a secret kind with < 80 random bits) and RandomSourceError if `random` fails.
 *
 * The fixed width is guaranteed by construction (a profile has no variable-length part); a profile that
 * could not satisfy it is rejected by validateProfile. Codes are random, not checked for uniqueness: the
 * database key enforces uniqueness for life. With `into`, the records are written there (its first count × width
 * bytes; `bytes` is then `into`) instead of into a new array.
 */
export function generateRecords(profile: CodeProfile, count: number, random: RandomSource, into?: Uint8Array): { width: number; bytes: Uint8Array } {
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_RECORDS_PER_CALL) {
    throw new RangeError(`count must be a whole number from 0 to ${MAX_RECORDS_PER_CALL}, got ${count}`);
  }
  const layout = profileLayout(profile);
  if (layout.width * count > MAX_RECORD_BYTES) {
    throw new RangeError(`${count} codes × ${layout.width} bytes exceed ${MAX_RECORD_BYTES} bytes per call; generate in chunks`);
  }
  return { width: layout.width, bytes: writeRecords(layout, count, random, into) };
}

/** Decodes record `index` of fixed-width ASCII `records` into a string. */
export function recordAt(records: { width: number; bytes: Uint8Array }, index: number): string {
  const start = index * records.width;
  return String.fromCharCode(...records.bytes.subarray(start, start + records.width));
}

/** `count` new codes of `profile` as strings (for small counts; bulk paths use generateRecords). */
export function generateCodes(profile: CodeProfile, count: number, random: RandomSource): string[] {
  const records = generateRecords(profile, count, random);
  const codes: string[] = new Array<string>(count);
  for (let i = 0; i < count; i += 1) codes[i] = recordAt(records, i);
  return codes;
}

/** One new code of `profile`. */
export function generateCode(profile: CodeProfile, random: RandomSource): string {
  return recordAt(generateRecords(profile, 1, random), 0);
}
