/**
 * Freezing: the station computes the event hash ID once, when it writes the event, and stores the exact JSON
 * text with its `eventID` in the outbox (DESIGN.md §3; reliability-security.md §4). Every later send reuses
 * that text byte for byte, so a resend is the same event to headquarters and dedupes by eventID.
 */
import { SyncError } from '../errors.ts';
import type { EpcisEvent, EpcisEventType } from './epcis-event.ts';
import { eventHashId, type CbvVersion } from './event-hash.ts';
import { validateEventInDocument } from './validate.ts';

export interface FreezeOptions {
  /** CBV version of the hash ID (`?ver=CBV2.0`). Default '2.0'. */
  readonly cbvVersion?: CbvVersion;
  /** CURIE prefixes the event uses beyond the EPCIS context (the ILMD namespace), for hashing its keys. */
  readonly prefixes?: Readonly<Record<string, string>>;
}

export interface FrozenEvent {
  readonly eventID: string;
  readonly eventType: EpcisEventType;
  /** The event's exact JSON text, `eventID` included; never re-serialised after this. */
  readonly body: string;
}

/**
 * Validates the event (schema + own rules: a bug in the mapping must never reach the outbox), hashes it and
 * returns the frozen text. Throws SCHEMA_VIOLATION with the JSON pointer of the first problems.
 */
export function freezeEvent(event: EpcisEvent, options: FreezeOptions = {}): FrozenEvent {
  const { type, ...rest } = event;
  const eventID = eventHashId(event as unknown as Record<string, unknown>, options);
  const withId = { type, eventID, ...rest };
  const verdict = validateEventInDocument(withId);
  if (!verdict.ok) {
    const detail = verdict.issues.slice(0, 3).map((i) => `${i.path || '/'} ${i.message}`).join('; ');
    throw new SyncError('SCHEMA_VIOLATION', `事件不符合 EPCIS 2.0 规范: ${detail} (event violates EPCIS 2.0: ${detail})`);
  }
  return { eventID, eventType: type, body: JSON.stringify(withId) };
}
