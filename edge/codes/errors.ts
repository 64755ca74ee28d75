/**
 * Errors of edge/codes (STYLE.md "Values and errors"). Callers branch on `code`, never on message text.
 * Messages never contain a code value in full: a bad profile names the field, not a generated code.
 */
export type CodesErrorCode = 'INVALID_PROFILE' | 'RANDOM_SOURCE' | 'CODES_BUG';

export class CodesError extends Error {
  readonly code: CodesErrorCode;
  constructor(code: CodesErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodesError';
    this.code = code;
  }
}

/** One problem with a code profile: the field path (`profile.length`) and a Chinese-first message. */
export interface ProfileIssue {
  readonly path: string;
  readonly message: string;
}

/** A profile that cannot generate valid codes; `issues` lists every bad field, not just the first. */
export class InvalidProfileError extends CodesError {
  readonly issues: readonly ProfileIssue[];
  constructor(issues: readonly ProfileIssue[]) {
    super('INVALID_PROFILE', `码规则无效 (invalid code profile): ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidProfileError';
    this.issues = issues;
  }
}

/** The injected random source threw or misbehaved; nothing generated from it may be used. */
export class RandomSourceError extends CodesError {
  constructor(cause: unknown) {
    super('RANDOM_SOURCE', '随机数源失败，未生成任何码 (random source failed; no codes generated)', { cause });
    this.name = 'RandomSourceError';
  }
}

/** A broken invariant inside edge/codes: a bug, never an input problem. */
export class CodesBug extends CodesError {
  constructor(message: string) {
    super('CODES_BUG', message);
    this.name = 'CodesBug';
  }
}
