import type { PairingWasteReason } from '../store/pairing-items.ts';

export { PAIRING_WASTE_REASONS, type PairingWasteReason } from '../store/pairing-items.ts';

/** The names line staff use at the cap/carton printer (issue 15). */
export const PAIRING_REASON_ZH: Readonly<Record<PairingWasteReason, string>> = {
  'one-side': '单面无读',
  duplicate: '重码',
  foreign: '码包外',
  'already-paired': '已关联',
  slipped: '错位',
  'print-failed': '打印失败',
};

/** What the operator should do about it (Chinese, short, imperative). */
export const PAIRING_REASON_ACTION_ZH: Readonly<Record<PairingWasteReason, string>> = {
  'one-side': '一面码未读到：检查该面相机镜头、光源和打印质量',
  duplicate: '码已出现过：检查打印机是否重复打印（重码）',
  foreign: '码不属于本任务的码包：检查上料的码包或打印数据',
  'already-paired': '内码已与其他外码关联：隔离并通知信息部',
  slipped: '两台相机计数不一致（错位）：检查光电和相机触发，确认后继续',
  'print-failed': '外码未确认打印（已作废）：检查打印机状态、墨水/碳带和通讯',
};

/**
 * Stable numbers for the PLC reject-reason register, in their own range (21…) so a register log never confuses
 * a pairing waste with a case-line reject (edge/aggregation/reject-reason.ts uses 1…9).
 */
export const PAIRING_REASON_NUMBER: Readonly<Record<PairingWasteReason, number>> = {
  'one-side': 21, duplicate: 22, foreign: 23, 'already-paired': 24, slipped: 25, 'print-failed': 26,
};
