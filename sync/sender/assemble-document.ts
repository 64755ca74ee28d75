import { captureDocument } from '../epcis/capture-document.ts';
import type { AssembleDocument } from './sender.ts';

/**
 * The sender's document assembler over sync/epcis `captureDocument`: frozen bodies verbatim, `creationDate` from
 * the rows (never the clock), so the same rows always give the same bytes. `prefixes` are the CURIE prefixes
 * the events use beyond the EPCIS context (the station's ILMD namespace); they must match on every send.
 */
export function assembleCaptureDocument(prefixes?: Readonly<Record<string, string>>): AssembleDocument {
  return (bodies, creationDate) => {
    const ms = Date.parse(creationDate);
    return captureDocument(bodies, { creationDate: Number.isNaN(ms) ? 0 : ms, ...(prefixes && Object.keys(prefixes).length > 0 ? { prefixes } : {}) });
  };
}
