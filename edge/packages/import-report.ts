/**
 * The report of one import (码包 / 同级关联 / 废码清单). Every issue names the file, the 1-based line and a
 * reason from a closed set, with a Chinese-first message; codes in it are masked unless known to be of a
 * visible kind. The collector keeps at most MAX_KEPT_ISSUES (memory stays bounded for a 10M-line file gone
 * wrong) but counts every issue by reason.
 */
export type IssueReason =
  | 'line-too-long'
  | 'bad-line'
  | 'format'
  | 'check-char'
  | 'duplicate-in-file'
  | 'duplicate-in-db'
  | 'unknown-code'
  | 'wrong-kind'
  | 'already-paired'
  | 'bad-status'
  | 'count-mismatch'
  | 'sha-mismatch'
  | 'package-exists'
  | 'sealed-package';

export const ISSUE_REASON_LABEL: Readonly<Record<IssueReason, string>> = {
  'line-too-long': '行太长 (line too long)',
  'bad-line': '行格式错误 (malformed line)',
  format: '码格式错误 (code format)',
  'check-char': '校验字符错误 (check character)',
  'duplicate-in-file': '文件内重码 (duplicate within the file)',
  'duplicate-in-db': '与库中已有码重复 (already in the database)',
  'unknown-code': '未知码 (unknown code)',
  'wrong-kind': '码类型不符 (wrong code kind)',
  'already-paired': '已关联其他码 (already paired)',
  'bad-status': '码状态不允许 (status does not allow it)',
  'count-mismatch': '数量不符 (count mismatch)',
  'sha-mismatch': 'SHA-256 不符 (SHA-256 mismatch)',
  'package-exists': '码包已导入 (package already imported)',
  'sealed-package': '加密码包无效 (sealed package invalid)',
};

export interface ImportIssue {
  readonly file: string;
  /** 1-based line number; 0 for a whole-file issue (count, hash). */
  readonly line: number;
  readonly reason: IssueReason;
  readonly message: string;
}

export const MAX_KEPT_ISSUES = 10_000;
/** Issues listed in the human-readable output; --json carries all kept issues. */
export const LISTED_ISSUES = 50;

export class IssueCollector {
  readonly #file: string;
  readonly #kept: ImportIssue[] = [];
  readonly #byReason = new Map<IssueReason, number>();
  #total = 0;
  constructor(file: string) {
    this.#file = file;
  }
  add(line: number, reason: IssueReason, message: string): void {
    this.#total += 1;
    this.#byReason.set(reason, (this.#byReason.get(reason) ?? 0) + 1);
    if (this.#kept.length < MAX_KEPT_ISSUES) this.#kept.push({ file: this.#file, line, reason, message });
  }
  get total(): number {
    return this.#total;
  }
  /** Kept issues sorted by line (stable: per line in the order found). */
  issues(): ImportIssue[] {
    return this.#kept.map((issue, i) => ({ issue, i })).sort((a, b) => a.issue.line - b.issue.line || a.i - b.i).map((x) => x.issue);
  }
  byReason(): Record<string, number> {
    return Object.fromEntries(this.#byReason);
  }
}

export interface ImportReport {
  readonly ok: boolean;
  readonly file: string;
  readonly what: 'package' | 'pairs' | 'waste';
  /** Non-blank lines read. */
  readonly lines: number;
  readonly stats: Readonly<Record<string, unknown>>;
  readonly issueCount: number;
  readonly issuesByReason: Readonly<Record<string, number>>;
  /** Sorted by line; at most MAX_KEPT_ISSUES. */
  readonly issues: readonly ImportIssue[];
  readonly issuesTruncated: boolean;
}

export function buildReport(what: ImportReport['what'], file: string, lines: number, stats: Record<string, unknown>, issues: IssueCollector): ImportReport {
  const kept = issues.issues();
  return {
    ok: issues.total === 0,
    file,
    what,
    lines,
    stats,
    issueCount: issues.total,
    issuesByReason: issues.byReason(),
    issues: kept,
    issuesTruncated: kept.length < issues.total,
  };
}

/** Human-readable lines: the first LISTED_ISSUES issues as `file:line: reason — message`, then the total. */
export function formatIssues(report: ImportReport): string[] {
  const out = report.issues.slice(0, LISTED_ISSUES).map((i) => `  ${i.file}:${i.line}: ${ISSUE_REASON_LABEL[i.reason]} — ${i.message}`);
  const counts = Object.entries(report.issuesByReason).map(([r, n]) => `${ISSUE_REASON_LABEL[r as IssueReason] ?? r} ${n}`).join('; ');
  if (report.issueCount > LISTED_ISSUES) out.push(`  … 共 ${report.issueCount} 个问题，仅列出前 ${LISTED_ISSUES} 个；--json 给出完整清单 (${report.issueCount} issues in total, first ${LISTED_ISSUES} listed; --json for all)`);
  out.push(`  分类 (by reason): ${counts}`);
  return out;
}
