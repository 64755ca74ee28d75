import type { LintReason } from './linters.ts';

/** What is wrong with one part of a GS1 element string or Digital Link URI. */
export type Gs1IssueReason =
  | 'empty'
  | 'not-gs1'
  | 'bad-syntax'
  | 'unknown-ai'
  | 'too-short'
  | 'too-long'
  | 'bad-charset'
  | 'missing-separator'
  | 'duplicate-ai'
  | 'not-allowed-in-link'
  | 'bad-qualifier-order'
  | LintReason;

export interface Gs1Issue {
  readonly reason: Gs1IssueReason;
  /** The AI concerned, or null when the problem is before any AI. */
  readonly ai: string | null;
  /** 0-based character index in the input given to the parser. */
  readonly position: number;
  /** Simplified Chinese first, English in parentheses; never the full value (it may be a secret code). */
  readonly message: string;
}

export interface Gs1Element {
  readonly ai: string;
  readonly value: string;
}

/** Joins issues into one line for an error message: `(21) 第 5 位: … ; …`. */
export function describeIssues(issues: readonly Gs1Issue[]): string {
  return issues.map((i) => `${i.ai === null ? '' : `(${i.ai}) `}第 ${i.position + 1} 个字符 (at character ${i.position + 1}): ${i.message}`).join('; ');
}
