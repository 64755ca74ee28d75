/** edge/report — printable and spreadsheet renderings of station reports. Explicit export list. */
export { renderReconciliationCsv, UTF8_BOM } from './reconciliation-csv.ts';
export { renderReconciliationPdf } from './reconciliation-pdf.ts';
export { renderPdf, DEFAULT_CJK_FONT, DEFAULT_CJK_FACE } from './pdf-document.ts';
export type { PdfDoc, PdfOptions } from './pdf-document.ts';
export { REPORT_COLUMNS, COLUMN_LABEL, LEVEL_LABEL, UNEXPLAINED_LABEL } from './labels.ts';
export type { ReportColumn } from './labels.ts';
export { ReportError } from './errors.ts';
export type { ReportErrorCode } from './errors.ts';
