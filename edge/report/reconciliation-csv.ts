import { REJECT_REASON_ZH, type RejectReason } from '../aggregation/reject-reason.ts';
import type { Reconciliation } from '../store/reconciliation.ts';
import { COLUMN_LABEL, LEVEL_LABEL, REPORT_COLUMNS, UNEXPLAINED_LABEL } from './labels.ts';

/** UTF-8 byte-order mark: without it Excel on Chinese Windows opens a UTF-8 CSV as GBK and garbles the text. */
export const UTF8_BOM = '\uFEFF';

function cell(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function row(values: readonly (string | number | null)[]): string {
  return values.map(cell).join(',');
}

/**
 * The reconciliation report as CSV (RFC 4180, CRLF line ends, UTF-8 with BOM): a header block with the batch,
 * then one row per level and a total row, then the unexplained breakdown and rejects by reason. Contains counts
 * only, never a code.
 */
export function renderReconciliationCsv(r: Reconciliation): string {
  const b = r.batch;
  const lines = [
    row(['批次对账报告 (batch reconciliation)', `#${b.id}`]),
    row(['产品 (product)', `${b.productId} ${b.productName}`]),
    row(['批号 (lot)', b.lot]),
    row(['生产日期 (production date)', b.productionDate]),
    row(['产线 (line)', b.line]),
    row(['计划数量 (planned)', b.plannedQty]),
    row(['状态 (state)', b.state]),
    row(['开始 (started)', b.startedAt]),
    row(['关闭 (closed)', b.closedAt]),
    row(['关闭原因 (close reason)', b.closeReason]),
    row(['签名 (signed by)', b.closedBy]),
    row(['箱数 (cases)', r.cases]),
    row(['垛数 (pallets)', r.pallets]),
    row(['结论 (result)', r.ok ? '平衡 (balanced)' : '有无法解释的码 (unexplained codes)']),
    '',
    row(['层级 (level)', ...REPORT_COLUMNS.map((c) => `${COLUMN_LABEL[c].zh} (${COLUMN_LABEL[c].en})`)]),
    ...[...r.levels, r.totals].map((l) => row([LEVEL_LABEL[l.level] ?? l.level, ...REPORT_COLUMNS.map((c) => l[c])])),
    '',
    row(['无法解释明细 (unexplained detail)', '数量 (count)']),
    ...Object.entries(UNEXPLAINED_LABEL).map(([k, label]) => row([label, r.totals.unexplainedDetail[k as keyof typeof UNEXPLAINED_LABEL]])),
    '',
    row(['剔除原因 (reject reason)', '数量 (count)']),
    ...Object.entries(r.rejects.byReason).map(([reason, n]) => row([`${REJECT_REASON_ZH[reason as RejectReason]} (${reason})`, n])),
    row(['剔除未确认 (reject not confirmed)', r.rejects.notConfirmed]),
    row(['相机验证配对 (camera-verified pairs)', r.cameraVerifiedPairs]),
    row(['生成时间 (generated)', r.generatedAt]),
  ];
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}
