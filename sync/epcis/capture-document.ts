/**
 * The EPCISDocument for `POST /capture`, built by concatenating frozen event bodies verbatim (EPCIS 2.0 §9.3
 * JSON binding; envelope fields per standards.md §1.1). No event is parsed or re-serialised here: the bytes
 * headquarters hashes and stores are the bytes the station froze.
 */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

export interface DocumentContext {
  /** Document creation time, epoch ms. Default: now. */
  readonly creationDate?: number;
  /** Extra CURIE prefixes the events use (e.g. the ILMD namespace), added as one `@context` object. */
  readonly prefixes?: Readonly<Record<string, string>>;
  /** Optional `instanceIdentifier` (e.g. the sender's batch id, for tracing). */
  readonly instanceIdentifier?: string;
}

/** The document text around `bodies` (each a complete frozen event JSON object). */
export function captureDocument(bodies: readonly string[], context: DocumentContext = {}): string {
  const ctx: unknown[] = [EPCIS_CONTEXT_URL];
  if (context.prefixes && Object.keys(context.prefixes).length > 0) ctx.push(context.prefixes);
  const head = {
    '@context': ctx,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date(context.creationDate ?? Date.now()).toISOString(),
    ...(context.instanceIdentifier === undefined ? {} : { instanceIdentifier: context.instanceIdentifier }),
  };
  const open = JSON.stringify(head).slice(0, -1);
  return `${open},"epcisBody":{"eventList":[${bodies.join(',')}]}}`;
}
