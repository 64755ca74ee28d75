/**
 * What both receiver storage adapters do before touching their database: validate each event against EPCIS 2.0,
 * verify (or compute) its hash eventID, freeze the body to store, and read off the facts the indexes and the
 * conflict checks need. Pure: no I/O.
 */
import { SyncError } from '../errors.ts';
import { canonicalIdentifier } from '../epcis/canonical-identifier.ts';
import { canonicalEpochMs, eventHashId } from '../epcis/event-hash.ts';
import { validateEventInDocument, validateStandaloneEvent, type ValidationResult } from '../epcis/validate.ts';
import type { CaptureEventError } from './capture-job.ts';
import type { IngestOptions } from './storage-port.ts';

export const HASH_PREFIX = 'ni:///sha-256;';
const BIZSTEP_PREFIX = /^(https:\/\/ref\.gs1\.org\/cbv\/BizStep-|urn:epcglobal:cbv:bizstep:)/;
const DISP_PREFIX = /^(https:\/\/ref\.gs1\.org\/cbv\/Disp-|urn:epcglobal:cbv:disp:)/;

/** A CBV bizStep in any of its forms → the bare word (`commissioning`). */
export const bareBizStep = (v: string): string => v.replace(BIZSTEP_PREFIX, '');
export const bareDisposition = (v: string): string => v.replace(DISP_PREFIX, '');

export interface Candidate {
  readonly index: number;
  readonly eventID: string;
  /** Canonical eventTime (epoch ms) of a verified hash eventID; 0 for other eventIDs, -1 for an unverifiable hash. */
  readonly t: number;
  /** The SQLite adapter's index key (see receiver-store.ts SCHEMA). */
  readonly key: Buffer;
  readonly body: string;
  readonly event: Record<string, unknown>;
}

/** Codes in an event, by how it names them (the `codes` index `role`). */
export const ROLE = { mentioned: 0, commissioned: 1, parent: 2 } as const;

export interface EventFacts {
  readonly type: string;
  readonly action: string | null;
  readonly bizStep: string | null;
  readonly disposition: string | null;
  readonly bizLocation: string | null;
  readonly readPoint: string | null;
  /** readPoint, else bizLocation: the station as headquarters sees it. */
  readonly site: string | null;
  readonly eventTime: number;
  /** (epc, role) index rows; a code may appear under more than one role. */
  readonly codes: readonly (readonly [string, number])[];
  /** Codes this event commissions (ObjectEvent ADD commissioning). */
  readonly commissions: readonly string[];
  /** Inner codes a pairing makes known (AssociationEvent ADD children): known, never a double commissioning. */
  readonly pairs: readonly string[];
  /** Codes that must already be known (commissioned or paired) when this event arrives. */
  readonly mustKnow: readonly string[];
  /** `shipping`: an unknown code here is UNKNOWN_SHIPPED, not UNKNOWN_CODE. */
  readonly ships: boolean;
  readonly parent: string | null;
  readonly children: readonly string[];
}

export function validationError(index: number, eventID: string | null, detail: string): CaptureEventError {
  return {
    type: 'epcisException:ValidationException',
    title: '事件不符合 EPCIS 2.0 规范 (event violates EPCIS 2.0)',
    status: 400,
    detail,
    instance: `/epcisBody/eventList/${index}`,
    eventIndex: index,
    eventID,
  };
}

export function clashError(c: Candidate): CaptureEventError {
  return {
    type: 'epcisException:ResourceAlreadyExistsException',
    title: '事件 ID 已存在且内容不同 (eventID already stored with different content)',
    status: 409,
    detail: `eventID ${c.eventID} 已存储为不同的事件 (is already stored for a different event)`,
    instance: `/epcisBody/eventList/${c.index}`,
    eventIndex: c.index,
    eventID: c.eventID,
  };
}

/**
 * `ni:///sha-256;<64 hex>?ver=CBV2.x` → the digest and a version byte (0x20 / 0x21); null for other forms.
 * `computed`: the eventID is `eventHashId`'s own output, so its form need not be checked again.
 */
export function hashKey(eventID: string, computed = false): Buffer | null {
  if (eventID.length !== 89 || !eventID.startsWith(HASH_PREFIX) || !eventID.startsWith('?ver=CBV2.', 78)) return null;
  const minor = eventID.charCodeAt(88) - 48;
  const hex = eventID.slice(14, 78);
  if ((minor !== 0 && minor !== 1) || (!computed && !/^[0-9a-f]{64}$/.test(hex))) return null;
  const key = Buffer.allocUnsafe(33);
  key.write(hex, 0, 'hex');
  key[32] = 0x20 + minor;
  return key;
}

/** The SQLite index key of any eventID: the hash form's bytes, else the UTF-8 text. */
export function eventKey(eventID: string): Buffer {
  return hashKey(eventID) ?? Buffer.from(eventID, 'utf8');
}

function identifiers(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const x of value) if (typeof x === 'string') out.push(canonicalIdentifier(x));
  return out;
}

function locationId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as Record<string, unknown>)['id'];
  return typeof id === 'string' ? canonicalIdentifier(id) : null;
}

/** Validates one event and freezes its stored body; a failure is pushed to `errors` and gives null. */
export function prepareEvent(raw: unknown, index: number, options: IngestOptions, errors: CaptureEventError[]): Candidate | null {
  const prefix = options.mode === 'standalone' ? '' : `/epcisBody/eventList/${index}`;
  const declared = typeof raw === 'object' && raw !== null && typeof (raw as Record<string, unknown>)['eventID'] === 'string'
    ? (raw as Record<string, string>)['eventID'] ?? null
    : null;
  const verdict: ValidationResult = options.mode === 'standalone' ? validateStandaloneEvent(raw) : validateEventInDocument(raw, prefix);
  if (!verdict.ok) {
    errors.push(validationError(index, declared, verdict.issues.slice(0, 5).map((i) => `${i.path} ${i.message}`).join('; ')));
    return null;
  }
  const event = raw as Record<string, unknown>;
  let eventID = declared;
  let verified = false;
  try {
    // A hash-form eventID must be the hash of the event: a mismatch means the sender changed a frozen body.
    if (eventID === null || eventID.startsWith(HASH_PREFIX)) {
      const computed = eventHashId(event, { ...(options.prefixes ? { prefixes: options.prefixes } : {}), cbvVersion: eventID?.endsWith('?ver=CBV2.1') ? '2.1' : '2.0' });
      if (eventID !== null && eventID !== computed) {
        errors.push(validationError(index, eventID, `eventID 与事件哈希不符 (eventID does not match the event hash; computed ${computed})`));
        return null;
      }
      eventID = computed;
      verified = true;
    }
  } catch (error) {
    if (eventID === null) eventID = `urn:uuid:${crypto.randomUUID()}`;
    else if (!(error instanceof SyncError)) throw error;
  }
  const hashed = hashKey(eventID, verified);
  const t = verified ? canonicalEpochMs(event['eventTime'], 'eventTime') : eventID.startsWith(HASH_PREFIX) ? -1 : 0;
  const key = hashed ?? Buffer.from(eventID, 'utf8');
  let body: string;
  if (options.mode === 'standalone') {
    // A standalone event's own @context is dropped: stored bodies look like events inside a document.
    const { '@context': _context, ...content } = event;
    body = declared === null ? JSON.stringify({ type: event['type'], eventID, ...content }) : JSON.stringify(content);
  } else {
    body = declared === null ? JSON.stringify({ type: event['type'], eventID, ...event }) : JSON.stringify(event);
  }
  return { index, eventID, t, key, body, event };
}

/** The index rows and conflict-check inputs of one (valid) event. */
export function eventFacts(e: Record<string, unknown>): EventFacts {
  const type = typeof e['type'] === 'string' ? e['type'] : '';
  const action = typeof e['action'] === 'string' ? e['action'] : null;
  const bizStep = typeof e['bizStep'] === 'string' ? bareBizStep(e['bizStep']) : null;
  const disposition = typeof e['disposition'] === 'string' ? bareDisposition(e['disposition']) : null;
  const epcs = identifiers(e['epcList']);
  const children = identifiers(e['childEPCs']);
  const parent = typeof e['parentID'] === 'string' ? canonicalIdentifier(e['parentID']) : null;
  const readPoint = locationId(e['readPoint']);
  const bizLocation = locationId(e['bizLocation']);
  let eventTime = 0;
  try { eventTime = canonicalEpochMs(e['eventTime'], 'eventTime'); } catch { eventTime = Date.parse(String(e['eventTime'])) || 0; }
  const commissioning = type === 'ObjectEvent' && action === 'ADD' && bizStep === 'commissioning';
  const pairing = type === 'AssociationEvent' && action === 'ADD' && parent !== null;
  const codes: [string, number][] = [];
  for (const epc of epcs) codes.push([epc, commissioning ? ROLE.commissioned : ROLE.mentioned]);
  for (const epc of children) codes.push([epc, ROLE.mentioned]);
  for (const epc of identifiers(e['inputEPCList'])) codes.push([epc, ROLE.mentioned]);
  for (const epc of identifiers(e['outputEPCList'])) codes.push([epc, ROLE.mentioned]);
  if (parent !== null) codes.push([parent, ROLE.parent]);
  let mustKnow: string[] = [];
  if (type === 'ObjectEvent' && !commissioning) mustKnow = epcs;
  else if (type === 'AggregationEvent' && parent !== null) mustKnow = [parent, ...(action === 'ADD' ? children : [])];
  else if (type === 'AssociationEvent' && parent !== null) mustKnow = [parent];
  return {
    type, action, bizStep, disposition, bizLocation, readPoint, site: readPoint ?? bizLocation, eventTime, codes,
    commissions: commissioning ? epcs : [], pairs: pairing ? children : [], mustKnow, ships: bizStep === 'shipping',
    parent, children,
  };
}
