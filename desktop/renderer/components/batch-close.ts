import type { BatchView, CloseBatchResult } from '../../../edge/api/contract.ts';
import { call, operationUrl } from '../api.ts';
import { h } from '../dom.ts';
import { describeError } from '../errors.ts';
import { t } from '../i18n.ts';
import type { ScreenContext } from '../screen.ts';
import { signDialog } from './sign-dialog.ts';

/** Closing a batch is a signed action: reason + PIN, then the reconciliation report is offered for download. */
export async function closeBatchFlow(ctx: ScreenContext, batch: BatchView): Promise<CloseBatchResult | null> {
  const sig = await signDialog({
    title: t('batch.closeTitle', { lot: batch.lot }),
    reasons: [t('batch.closeReason.done'), t('batch.closeReason.shift'), t('batch.closeReason.material')],
    confirmLabel: t('batch.close'),
  });
  if (sig === null) return null;
  try {
    const result = await call('closeBatch', { params: { batchId: batch.id }, body: { reason: sig.reason, pin: sig.pin } });
    ctx.notify('ok', t('batch.closed', { lot: batch.lot }));
    return result;
  } catch (err) {
    ctx.notify('error', describeError(err));
    return null;
  }
}

/** CSV and PDF download links of a batch's reconciliation report (the session cookie authorises the GET). */
export function reportLinks(batch: BatchView): HTMLElement {
  const url = (format: 'csv' | 'pdf'): string => operationUrl('batchReport', { params: { batchId: batch.id }, query: { format } });
  return h('span', { class: 'report-links' },
    h('a', { class: 'btn btn-link', href: url('pdf'), download: `batch-${batch.id}-${batch.lot}.pdf`, 'data-testid': `report-pdf-${batch.id}` }, t('report.pdf')),
    h('a', { class: 'btn btn-link', href: url('csv'), download: `batch-${batch.id}-${batch.lot}.csv`, 'data-testid': `report-csv-${batch.id}` }, t('report.csv')),
  );
}
