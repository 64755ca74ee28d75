import type { OutboxEntry } from '../contract.ts';

/** How the capture document grows with its events, in bytes (measured once from the document assembler). */
export interface DocumentSize {
  /** Bytes of a document with no events (envelope, context, creationDate). */
  readonly envelope: number;
  /** Bytes added between two events (the separator). */
  readonly separator: number;
}

export interface Batch {
  readonly entries: readonly OutboxEntry[];
  /** Exact byte length of the capture document these entries make. */
  readonly bytes: number;
}

/**
 * The longest prefix of `entries` (already in send order) that stays under BOTH limits: at most `maxEvents`
 * events and at most `maxBytes` bytes of capture document (GS1-EPCIS-Capture-Limit and
 * GS1-EPCIS-Capture-File-Size-Limit, EPCIS 2.0 §12). Always takes at least one event even if it alone exceeds
 * `maxBytes`: the receiver then answers 413 or rejects it, and the sender quarantines it rather than stall.
 * `bodyBytes` gives the UTF-8 length of each body (frozen text; cached by the caller).
 */
export function takeBatch(
  entries: readonly OutboxEntry[],
  maxEvents: number,
  maxBytes: number,
  size: DocumentSize,
  bodyBytes: (entry: OutboxEntry) => number,
): Batch {
  let bytes = size.envelope;
  let n = 0;
  for (const entry of entries) {
    if (n >= maxEvents) break;
    const add = bodyBytes(entry) + (n > 0 ? size.separator : 0);
    if (n > 0 && bytes + add > maxBytes) break;
    bytes += add;
    n += 1;
  }
  return { entries: entries.slice(0, n), bytes };
}
