/**
 * The five codes (DESIGN.md §1) plus the optional box level, and the code lifecycle (DESIGN.md §4).
 * Stored as small integers so a 10M-code database stays small; these tables are the only mapping.
 */
export const CODE_KINDS = ['cap-inner', 'cap-outer', 'case-inner', 'case-outer', 'pallet', 'box'] as const;
export type CodeKind = (typeof CODE_KINDS)[number];

export const CODE_KIND_LABEL_ZH: Readonly<Record<CodeKind, string>> = {
  'cap-inner': '盖内码',
  'cap-outer': '盖外码',
  'case-inner': '箱内码',
  'case-outer': '箱外码',
  pallet: '垛码',
  box: '盒码',
};

/** Secret kinds pay out money; their values never appear in full in logs, errors or the UI. */
export const SECRET_KINDS: ReadonlySet<CodeKind> = new Set<CodeKind>(['cap-inner', 'case-inner']);

export const CODE_STATUSES = [
  'available', 'printed', 'commissioned', 'aggregated', 'shipped', 'rejected', 'sampled', 'destroyed', 'voided',
] as const;
export type CodeStatus = (typeof CODE_STATUSES)[number];

export const CODE_STATUS_LABEL_ZH: Readonly<Record<CodeStatus, string>> = {
  available: '可用', printed: '已印刷', commissioned: '已赋码', aggregated: '已关联', shipped: '已发货',
  rejected: '已剔除', sampled: '已抽样', destroyed: '已销毁', voided: '已作废',
};

export function kindToInt(kind: CodeKind): number {
  return CODE_KINDS.indexOf(kind) + 1;
}

export function kindFromInt(n: number): CodeKind {
  const kind = CODE_KINDS[n - 1];
  if (kind === undefined) throw new RangeError(`unknown code kind number ${n}`);
  return kind;
}

export function statusToInt(status: CodeStatus): number {
  return CODE_STATUSES.indexOf(status);
}

export function statusFromInt(n: number): CodeStatus {
  const status = CODE_STATUSES[n];
  if (status === undefined) throw new RangeError(`unknown code status number ${n}`);
  return status;
}

export function isCodeKind(value: unknown): value is CodeKind {
  return typeof value === 'string' && (CODE_KINDS as readonly string[]).includes(value);
}

export function isCodeStatus(value: unknown): value is CodeStatus {
  return typeof value === 'string' && (CODE_STATUSES as readonly string[]).includes(value);
}
