import type { ReconciliationTerm, UnexplainedKind } from '../store/reconciliation.ts';

/** Column order of the reconciliation table in every format (received first, unexplained last). */
export const REPORT_COLUMNS = ['received', 'printed', 'commissioned', 'aggregated', 'rejected', 'reworked', 'sampled', 'destroyed', 'voided', 'leftOver', 'unexplained'] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

/** Chinese labels first, English in parentheses (users are line operators, QA and IT in Chinese factories). */
export const COLUMN_LABEL: Readonly<Record<ReportColumn, { zh: string; en: string }>> = {
  received: { zh: '接收', en: 'received' },
  printed: { zh: '已印刷未用', en: 'printed' },
  commissioned: { zh: '已赋码', en: 'commissioned' },
  aggregated: { zh: '已关联', en: 'aggregated' },
  rejected: { zh: '已剔除', en: 'rejected' },
  reworked: { zh: '已返工', en: 'reworked' },
  sampled: { zh: '已抽样', en: 'sampled' },
  destroyed: { zh: '已销毁', en: 'destroyed' },
  voided: { zh: '已作废', en: 'voided' },
  leftOver: { zh: '剩余', en: 'left over' },
  unexplained: { zh: '无法解释', en: 'unexplained' },
} satisfies Record<ReconciliationTerm | 'received' | 'unexplained', { zh: string; en: string }>;

export const UNEXPLAINED_LABEL: Readonly<Record<UnexplainedKind, string>> = {
  rejectedPending: '剔除未处理（未返工也未作废）(rejected, neither reworked nor voided)',
  allocatedUnused: '垛码已分配未使用（可能已打印）(pallet code allocated, not used)',
  loose: '已赋码但未装箱/未组垛 (commissioned, in no parent)',
  onOpenPallet: '在未完成的垛上 (on an open or parked pallet)',
};

export const LEVEL_LABEL: Readonly<Record<string, string>> = {
  'cap-inner': '盖内码 (cap-inner)',
  'cap-outer': '盖外码 (cap-outer)',
  'case-inner': '箱内码 (case-inner)',
  'case-outer': '箱外码 (case-outer)',
  pallet: '垛码 (pallet)',
  box: '盒码 (box)',
  total: '合计 (total)',
};
