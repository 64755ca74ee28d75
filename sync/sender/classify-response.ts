import type { IncomingHttpHeaders } from 'node:http';
import type { CaptureLimits, CaptureResult, EventRejection } from '../contract.ts';
import type { HttpResponse } from './http-exchange.ts';

/** What `POST /capture` answered: a job to follow, or already an outcome. */
export type PostOutcome = { readonly kind: 'posted'; readonly job: URL } | CaptureResult;
/** What `GET /capture/{id}` answered. */
export type PollOutcome = { readonly kind: 'running' } | CaptureResult;

const REASON_MAX = 500;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The limit headers of `OPTIONS /capture` or a 413 (EPCIS 2.0 §12; openapi `GS1-EPCIS-Capture-Limit`). */
export function readLimits(headers: IncomingHttpHeaders): Partial<CaptureLimits> {
  const maxEvents = positiveInt(header(headers, 'gs1-epcis-capture-limit'));
  const maxBytes = positiveInt(header(headers, 'gs1-epcis-capture-file-size-limit'));
  return { ...(maxEvents === undefined ? {} : { maxEvents }), ...(maxBytes === undefined ? {} : { maxBytes }) };
}

function clip(text: string): string {
  return text.length > REASON_MAX ? `${text.slice(0, REASON_MAX)}…` : text;
}

function parseJson(body: string): unknown {
  try { return JSON.parse(body) as unknown; } catch { return undefined; }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One line from an RFC 7807 problem: type, title, detail. */
function problemText(p: Record<string, unknown>): string {
  const parts = [p['type'], p['title'], p['detail']].filter((x): x is string => typeof x === 'string' && x.length > 0);
  return clip(parts.length > 0 ? parts.join(' — ') : JSON.stringify(p));
}

const POINTER = /\/epcisBody\/eventList\/(\d+)/;

/**
 * The event an RFC 7807 problem is about. The binding does not fix how a capture error names its event, so
 * we accept the forms receivers use: an `eventID` member, `instance` equal to an eventID, any string member
 * equal to an eventID, or a JSON pointer `/epcisBody/eventList/N` into the document we sent.
 */
function eventOf(p: Record<string, unknown>, eventIds: readonly string[], known: ReadonlySet<string>): string | undefined {
  for (const key of ['eventID', 'eventId']) {
    const v = p[key];
    if (typeof v === 'string' && known.has(v)) return v;
  }
  for (const v of Object.values(p)) {
    if (typeof v === 'string') {
      if (known.has(v)) return v;
      const m = POINTER.exec(v);
      if (m?.[1] !== undefined) return eventIds[Number(m[1])];
    }
  }
  return undefined;
}

/** Problems of a 400 body or a failed job → per-event rejections plus a summary reason. */
export function rejectionsOf(problems: readonly unknown[], eventIds: readonly string[]): { events: EventRejection[]; reason: string } {
  const known = new Set(eventIds);
  const byEvent = new Map<string, EventRejection>();
  const reasons: string[] = [];
  for (const p of problems) {
    if (!isRecord(p)) continue;
    const text = problemText(p);
    reasons.push(text);
    const eventId = eventOf(p, eventIds, known);
    if (eventId === undefined) continue;
    const type = typeof p['type'] === 'string' ? p['type'] : '';
    const alreadyExists = p['status'] === 409 || /ResourceAlreadyExists/i.test(type);
    const prior = byEvent.get(eventId);
    byEvent.set(eventId, {
      eventId,
      reason: prior ? clip(`${prior.reason}; ${text}`) : text,
      alreadyExists: (prior?.alreadyExists ?? true) && alreadyExists,
    });
  }
  return { events: [...byEvent.values()], reason: clip(reasons.length > 0 ? reasons.join('; ') : '接收方拒绝，未说明原因 (rejected without a reason)') };
}

function statusReason(res: HttpResponse): string {
  const json = parseJson(res.body);
  return clip(`HTTP ${res.status}${isRecord(json) ? ` ${problemText(json)}` : res.body ? ` ${res.body}` : ''}`);
}

/**
 * Classifies the answer to `POST /capture` (EPCIS 2.0 §12, openapi `/capture` post):
 * 202 + Location → follow the job; 200/201 (a receiver that captured synchronously) → accepted;
 * 400 → rejected (nothing stored); 401/403 → unauthorized; 413 → too-large (with limit headers if given);
 * 408, 429, 5xx and anything else → retry the same bytes later.
 */
export function classifyPost(res: HttpResponse, base: URL, eventIds: readonly string[]): PostOutcome {
  const s = res.status;
  if (s === 202) {
    const location = header(res.headers, 'location');
    if (!location) return { kind: 'retry', reason: '202 响应缺少 Location 头 (202 without Location header)' };
    return { kind: 'posted', job: new URL(location, base) };
  }
  if (s === 200 || s === 201) return { kind: 'accepted', captureId: header(res.headers, 'location') ?? '' };
  if (s === 400) {
    const json = parseJson(res.body);
    const problems = isRecord(json) ? (Array.isArray(json['errors']) ? json['errors'] as unknown[] : [json]) : [];
    const { events, reason } = rejectionsOf(problems, eventIds);
    return { kind: 'rejected', events, reason: problems.length > 0 ? reason : statusReason(res) };
  }
  if (s === 401 || s === 403) return { kind: 'unauthorized', status: s, reason: statusReason(res) };
  if (s === 413) return { kind: 'too-large', limits: readLimits(res.headers) };
  return { kind: 'retry', reason: statusReason(res) };
}

/**
 * Classifies `GET /capture/{id}` (openapi `CaptureJob`). We always send `GS1-Capture-Error-Behaviour: rollback`,
 * so a finished job is all-or-nothing: success → accepted, failure → rejected with its `errors`. A job the
 * receiver no longer knows (404, e.g. it restarted) or any 5xx → retry: resending is idempotent by eventID.
 */
export function classifyPoll(res: HttpResponse, eventIds: readonly string[]): PollOutcome {
  const s = res.status;
  if (s === 401 || s === 403) return { kind: 'unauthorized', status: s, reason: statusReason(res) };
  if (s !== 200) return { kind: 'retry', reason: `查询上传任务失败 (capture job poll failed): ${statusReason(res)}` };
  const job = parseJson(res.body);
  if (!isRecord(job) || typeof job['running'] !== 'boolean' || typeof job['success'] !== 'boolean') {
    return { kind: 'retry', reason: clip(`上传任务格式不对 (capture job without running/success): ${res.body}`) };
  }
  if (job['running']) return { kind: 'running' };
  const captureId = typeof job['captureID'] === 'string' ? job['captureID'] : '';
  if (job['success']) return { kind: 'accepted', captureId };
  const problems = Array.isArray(job['errors']) ? job['errors'] as unknown[] : [];
  if (problems.length === 0 && typeof job['errorFile'] === 'string') {
    return { kind: 'rejected', events: [], reason: clip(`接收方错误文件 (errorFile): ${job['errorFile']}`) };
  }
  const { events, reason } = rejectionsOf(problems, eventIds);
  return { kind: 'rejected', events, reason };
}
