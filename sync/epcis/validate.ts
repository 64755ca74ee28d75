/**
 * Validation of EPCIS 2.0 JSON: the ratified schema (`schema/epcis-json-schema.json`, EPCIS 2.0.1, verbatim
 * copy of ref.gs1.org/standards/epcis/epcis-json-schema.json; Apache-2.0, GS1) with ajv 8 + ajv-formats
 * (`strict: false`: the schema uses draft-07 keywords ajv's strict mode rejects; standards.md §1.7), plus the
 * rules the schema cannot express (`ownEventRules`). Validators are compiled once, on first use (~0.3 s).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export interface ValidationIssue {
  /** JSON pointer into the validated value, e.g. `/epcisBody/eventList/3/parentID`. */
  readonly path: string;
  readonly message: string;
}

export type ValidationResult = { readonly ok: true } | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

const SCHEMA_PATH = new URL('./schema/epcis-json-schema.json', import.meta.url);

interface Validators {
  readonly root: ValidateFunction;
  readonly documentEvent: ValidateFunction;
}

let compiled: Validators | undefined;

function validators(): Validators {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { $id: string };
  const ajv = new Ajv({ strict: false, allErrors: false });
  // ajv-formats is CommonJS; under Node's ESM interop its default export is the plugin function itself.
  const addFormats = addFormatsModule as unknown as (a: Ajv) => void;
  addFormats(ajv);
  const uri = ajv.formats['uri'];
  if (typeof uri === 'function') ajv.addFormat('uri', remembered(uri as (value: string) => boolean));
  ajv.addSchema(schema);
  const root = ajv.getSchema(schema.$id);
  const documentEvent = ajv.getSchema(`${schema.$id}#/definitions/EPCIS-Document-Event`);
  if (!root || !documentEvent) throw new Error('EPCIS schema did not compile');
  compiled = { root, documentEvent };
  return compiled;
}

/**
 * A pure format check with a memory: readPoint, bizLocation and vocabulary URIs repeat in every event, and
 * ajv-formats' full `uri` check is one very long regular expression. Dropped whole when it fills up.
 */
function remembered(check: (value: string) => boolean): (value: string) => boolean {
  const seen = new Map<string, boolean>();
  return (value) => {
    let ok = seen.get(value);
    if (ok === undefined) {
      ok = check(value);
      if (seen.size >= 1024) seen.clear();
      seen.set(value, ok);
    }
    return ok;
  };
}

/** Compiles the validators now (start-up) instead of on the first request. */
export function warmValidators(): void {
  validators();
}

function issues(errors: readonly ErrorObject[] | null | undefined, prefix: string): ValidationIssue[] {
  return (errors ?? []).map((e) => ({
    path: `${prefix}${e.instancePath}`,
    message: `${e.message ?? 'invalid'}${e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : ''}`,
  }));
}

/** bizSteps whose action CBV 2.0 §7.2 fixes. */
const BIZSTEP_ACTION: Readonly<Record<string, string>> = {
  commissioning: 'ADD',
  decommissioning: 'DELETE',
  packing: 'ADD',
  unpacking: 'DELETE',
};

/**
 * Rules beyond the schema: EPCIS 2.0 §7.4.3 requires `parentID` on AggregationEvents with action ADD or DELETE
 * (the schema only requires children); CBV 2.0 §7.2 fixes the action of commissioning/decommissioning/packing/
 * unpacking.
 */
export function ownEventRules(event: unknown, prefix = ''): ValidationIssue[] {
  if (typeof event !== 'object' || event === null) return [];
  const e = event as Record<string, unknown>;
  const out: ValidationIssue[] = [];
  if (e['type'] === 'AggregationEvent' && (e['action'] === 'ADD' || e['action'] === 'DELETE') && typeof e['parentID'] !== 'string') {
    out.push({ path: `${prefix}/parentID`, message: 'AggregationEvent with action ADD or DELETE requires parentID (EPCIS 2.0 §7.4.3)' });
  }
  const step = typeof e['bizStep'] === 'string' ? e['bizStep'].replace(/^(https:\/\/ref\.gs1\.org\/cbv\/BizStep-|urn:epcglobal:cbv:bizstep:)/, '') : undefined;
  const want = step === undefined ? undefined : BIZSTEP_ACTION[step];
  if (want !== undefined && e['action'] !== undefined && e['action'] !== want) {
    out.push({ path: `${prefix}/action`, message: `bizStep ${step} requires action ${want} (CBV 2.0 §7.2)` });
  }
  return out;
}

/** One event as it sits inside an EPCISDocument's eventList (no `@context` needed). */
export function validateEventInDocument(event: unknown, prefix = ''): ValidationResult {
  const v = validators().documentEvent;
  const found = v(event) ? [] : issues(v.errors, prefix);
  found.push(...ownEventRules(event, prefix));
  return found.length === 0 ? { ok: true } : { ok: false, issues: found };
}

/** A single event posted on its own (`POST /events`): the schema then requires its own `@context`. */
export function validateStandaloneEvent(event: unknown): ValidationResult {
  const v = validators().root;
  const found = v(event) ? [] : issues(v.errors, '');
  if (typeof event === 'object' && event !== null && String((event as Record<string, unknown>)['type']).startsWith('EPCIS')) {
    found.push({ path: '/type', message: 'expected an event, got a document' });
  }
  found.push(...ownEventRules(event));
  return found.length === 0 ? { ok: true } : { ok: false, issues: found };
}

/** The document envelope only (events are checked one by one so each gets its own verdict). */
export function validateEnvelope(doc: unknown): ValidationResult {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, issues: [{ path: '', message: 'document must be a JSON object' }] };
  const d = doc as Record<string, unknown>;
  const body = d['epcisBody'];
  let shell: unknown = doc;
  if (d['type'] === 'EPCISDocument' && typeof body === 'object' && body !== null && Array.isArray((body as Record<string, unknown>)['eventList'])) {
    shell = { ...d, epcisBody: { ...(body as Record<string, unknown>), eventList: [] } };
  }
  if (d['type'] !== 'EPCISDocument' && d['type'] !== 'EPCISQueryDocument') return { ok: false, issues: [{ path: '/type', message: 'must be EPCISDocument or EPCISQueryDocument' }] };
  const v = validators().root;
  return v(shell) ? { ok: true } : { ok: false, issues: issues(v.errors, '') };
}

/** A whole document: envelope, then every event with its own rules; issues carry full JSON pointers. */
export function validateDocument(doc: unknown): ValidationResult {
  const envelope = validateEnvelope(doc);
  if (!envelope.ok) return envelope;
  const all: ValidationIssue[] = [];
  for (const [i, event] of documentEvents(doc).entries()) {
    const r = validateEventInDocument(event, `/epcisBody/eventList/${i}`);
    if (!r.ok) all.push(...r.issues);
  }
  return all.length === 0 ? { ok: true } : { ok: false, issues: all };
}

/** The events of an EPCISDocument or EPCISQueryDocument (empty when there are none). */
export function documentEvents(doc: unknown): unknown[] {
  const d = doc as Record<string, unknown>;
  const body = d['epcisBody'] as Record<string, unknown> | undefined;
  if (!body) return [];
  if (Array.isArray(body['eventList'])) return body['eventList'] as unknown[];
  const results = body['queryResults'] as Record<string, unknown> | undefined;
  const rb = results?.['resultsBody'] as Record<string, unknown> | undefined;
  return Array.isArray(rb?.['eventList']) ? (rb['eventList'] as unknown[]) : [];
}
