/**
 * Why a case (or pallet) is rejected. Codes follow the names line staff already use (domain-features §2 row 10):
 * 缺码 missing, 超码 excess, 码包外 outside the batch's packages, 错码 wrong kind or product, 重码 duplicate,
 * 未关联 unpaired, 无读 no-read. Each carries the PLC reason number recorded with the reject.
 */
export const REJECT_REASONS = [
  'no-read', 'missing', 'excess', 'foreign', 'wrong', 'duplicate', 'unpaired', 'unusable', 'case-code',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const REJECT_REASON_ZH: Readonly<Record<RejectReason, string>> = {
  'no-read': '无读',
  missing: '缺码',
  excess: '超码',
  foreign: '码包外',
  wrong: '错码',
  duplicate: '重码',
  unpaired: '未关联',
  unusable: '码已作废或剔除',
  'case-code': '箱码异常',
};

/** What the operator should do about it, shown with the alarm (Chinese, short, imperative). */
export const REJECT_REASON_ACTION_ZH: Readonly<Record<RejectReason, string>> = {
  'no-read': '检查读码器镜头和光源，剔除箱送返工台',
  missing: '箱内少瓶或瓶盖码未读到，送返工台补瓶或复扫',
  excess: '箱内多码（可能读到邻箱），送返工台复核',
  foreign: '码不属于本批次码包，隔离并通知信息部',
  wrong: '码的类型或产品不符，检查是否混料',
  duplicate: '重复码，可能重复读取或假码，送质检复核',
  unpaired: '盖外码没有对应的盖内码，送质检复核',
  unusable: '码已作废、销毁或剔除，送质检处理',
  'case-code': '箱码无法使用（未读到、非本批或已用），送返工台重贴箱码',
};

/** Stable small numbers written to the PLC reject-reason register and the reject log. */
export const REJECT_REASON_NUMBER: Readonly<Record<RejectReason, number>> = {
  'no-read': 1, missing: 2, excess: 3, foreign: 4, wrong: 5, duplicate: 6, unpaired: 7, unusable: 8, 'case-code': 9,
};
