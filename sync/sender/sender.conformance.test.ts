import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxCounts, OutboxEntry, OutboxSource, SyncState } from '../contract.ts';
import { captureDocument } from '../epcis/capture-document.ts';
import { Sender, type SenderClock } from './sender.ts';

/** An in-memory outbox honouring the OutboxSource contract (the SQLite one is tested in edge/store). */
class MemoryOutbox implements OutboxSource {
  readonly rows: { entry: OutboxEntry; state: 'pending' | 'confirmed' | 'quarantined'; reason?: string; attempts: number }[] = [];
  readonly states: { state: SyncState; detail: string | undefined }[] = [];
  add(count: number, poison: ReadonlySet<number> = new Set()): void {
    for (let i = 0; i < count; i += 1) {
      const id = this.rows.length + 1;
      const eventId = `ni:///sha-256;${id.toString(16).padStart(64, '0')}?ver=CBV2.0`;
      const body = JSON.stringify({ type: 'ObjectEvent', eventID: eventId, eventTime: '2026-01-01T08:00:00.000+08:00', n: id, ...(poison.has(id) ? { poison: true } : {}) });
      this.rows.push({ entry: { id, eventId, eventType: 'ObjectEvent', body, createdAt: `2026-01-01T00:00:00.${String(id % 1000).padStart(3, '0')}Z`, attempts: 0 }, state: 'pending', attempts: 0 });
    }
  }
  peek(afterId: number, limit: number): OutboxEntry[] {
    return this.rows.filter((r) => r.state === 'pending' && r.entry.id > afterId).slice(0, limit).map((r) => r.entry);
  }
  #row(id: number) { const r = this.rows[id - 1]; if (!r) throw new Error(`no row ${id}`); return r; }
  markConfirmed(ids: readonly number[]): void { for (const id of ids) { const r = this.#row(id); if (r.state === 'pending') r.state = 'confirmed'; } }
  quarantine(id: number, reason: string): void { const r = this.#row(id); if (r.state === 'pending') { r.state = 'quarantined'; r.reason = reason; } }
  recordAttempt(ids: readonly number[]): void { for (const id of ids) this.#row(id).attempts += 1; }
  counts(): OutboxCounts {
    const c = { pending: 0, confirmed: 0, quarantined: 0 };
    for (const r of this.rows) c[r.state] += 1;
    return c;
  }
  noteState(state: SyncState, _at: string, detail?: string): void { this.states.push({ state, detail }); }
}

interface StubOptions {
  maxEvents: number;
  maxBytes: number;
  /** A stricter event limit than advertised: more events get 413. */
  hiddenMaxEvents?: number;
  token?: string;
  /** Name the offending event in job errors (else only a generic error). */
  attribute?: boolean;
  /** Polls that answer running:true before the job finishes. */
  runningPolls?: number;
  /** Status to answer the next N POSTs with (e.g. 500), before behaving. */
  failPosts?: { status: number; count: number };
}

/** A minimal EPCIS capture endpoint (openapi /capture subset) that dedupes by eventID, rollback semantics. */
async function startStub(o: StubOptions) {
  const stored = new Map<string, string>();
  const posts: string[] = [];
  let duplicatesDelivered = 0;
  /** Order checks: requests open at once, and POSTs that arrived while an earlier job was not yet reported done. */
  let open = 0;
  let maxOpen = 0;
  let postsBeforeJobDone = 0;
  const storedOrder: number[] = [];
  const jobs = new Map<string, { polls: number; success: boolean; errors: unknown[] }>();
  let failLeft = o.failPosts?.count ?? 0;
  const read = (req: IncomingMessage): Promise<string> => new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { resolve(Buffer.concat(chunks).toString('utf8')); });
  });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    res.once('finish', () => { open -= 1; });
    void (async () => {
      const body = await read(req);
      const limits = { 'GS1-EPCIS-Capture-Limit': String(o.maxEvents), 'GS1-EPCIS-Capture-File-Size-Limit': String(o.maxBytes) };
      if (o.token !== undefined && req.headers.authorization !== `Bearer ${o.token}`) { res.writeHead(401).end(); return; }
      if (req.method === 'OPTIONS' && req.url === '/capture') { res.writeHead(204, limits).end(); return; }
      if (req.method === 'POST' && req.url === '/capture') {
        posts.push(body);
        for (const j of jobs.values()) if (j.polls <= (o.runningPolls ?? 0)) postsBeforeJobDone += 1;
        if (failLeft > 0) { failLeft -= 1; res.writeHead(o.failPosts?.status ?? 500).end(); return; }
        const doc = JSON.parse(body) as { epcisBody: { eventList: { eventID: string; poison?: boolean }[] } };
        const events = doc.epcisBody.eventList;
        if (Buffer.byteLength(body) > o.maxBytes || events.length > (o.hiddenMaxEvents ?? o.maxEvents)) {
          res.writeHead(413, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'epcisException:CaptureLimitExceededException', status: 413 }));
          return;
        }
        const errors = events.filter((e) => e.poison).map((e) => ({
          type: 'epcisException:ValidationException', title: '未知的码 (unknown code)', status: 400,
          ...(o.attribute === false ? {} : { eventID: e.eventID }),
        }));
        if (errors.length === 0) {
          for (const e of events) {
            if (stored.has(e.eventID)) { duplicatesDelivered += 1; continue; }
            stored.set(e.eventID, JSON.stringify(e));
            storedOrder.push((e as { n?: number }).n ?? 0);
          }
        }
        const id = String(jobs.size + 1);
        jobs.set(id, { polls: 0, success: errors.length === 0, errors });
        res.writeHead(202, { location: `/capture/${id}` }).end();
        return;
      }
      const job = req.method === 'GET' ? /^\/capture\/(\d+)$/.exec(req.url ?? '') : null;
      if (job?.[1] !== undefined && jobs.has(job[1])) {
        const j = jobs.get(job[1]);
        if (!j) return;
        j.polls += 1;
        const running = j.polls <= (o.runningPolls ?? 0);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          captureID: job[1], running, success: running ? true : j.success, captureErrorBehaviour: 'rollback', errors: running ? [] : j.errors,
        }));
        return;
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`, stored, posts, options: o,
    duplicatesDelivered: () => duplicatesDelivered,
    order: () => ({ maxOpen, postsBeforeJobDone, storedOrder }),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A clock whose sleeps return at once (after a macrotask) and are recorded. */
function fakeClock(): SenderClock & { sleeps: number[] } {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => { sleeps.push(ms); t += ms; await new Promise((r) => setImmediate(r)); },
    random: () => 0.5,
  };
}

const assemble = (bodies: readonly string[], creationDate: string): string => captureDocument(bodies, { creationDate: Date.parse(creationDate) });

let stubs: { close(): Promise<void> }[] = [];
beforeEach(() => { stubs = []; });
afterEach(async () => { for (const s of stubs) await s.close(); });
async function stub(o: StubOptions) { const s = await startStub(o); stubs.push(s); return s; }

describe('Sender against an EPCIS capture endpoint', () => {
  it('drains under both limits, each event stored once, and confirms only after the job succeeded', async () => {
    const hq = await stub({ maxEvents: 50, maxBytes: 4_000, runningPolls: 2 });
    const outbox = new MemoryOutbox();
    outbox.add(500);
    const clock = fakeClock();
    const summary = await new Sender({ outbox, url: hq.url, assemble, clock }).run({ once: true });
    expect(outbox.counts()).toEqual({ pending: 0, confirmed: 500, quarantined: 0 });
    expect(hq.stored.size).toBe(500);
    for (const p of hq.posts) {
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(4_000);
      expect((JSON.parse(p) as { epcisBody: { eventList: unknown[] } }).epcisBody.eventList.length).toBeLessThanOrEqual(50);
    }
    expect(hq.posts.length).toBeGreaterThan(500 / 50); // the byte limit, not the count, bound these batches
    expect(summary).toMatchObject({ confirmed: 500, quarantined: 0, retries: 0, state: 'stopped', requests: hq.posts.length });
    // job polls backed off 2 ms, 4 ms while running
    expect(clock.sleeps.filter((ms) => ms === 2).length).toBe(hq.posts.length);
    // Bodies went out verbatim: each stored event equals the frozen text.
    expect(hq.stored.get(outbox.rows[7]?.entry.eventId ?? '')).toBe(outbox.rows[7]?.entry.body);
  });

  it('keeps capture order: one request at a time, the next POST only after the last job reported success', async () => {
    const hq = await stub({ maxEvents: 40, maxBytes: 1_000_000, runningPolls: 1 });
    const outbox = new MemoryOutbox();
    outbox.add(400);
    await new Sender({ outbox, url: hq.url, assemble, clock: fakeClock() }).run({ once: true });
    expect(outbox.counts().confirmed).toBe(400);
    const { maxOpen, postsBeforeJobDone, storedOrder } = hq.order();
    expect(maxOpen).toBe(1);
    expect(postsBeforeJobDone).toBe(0);
    expect(storedOrder).toEqual(outbox.rows.map((r) => r.entry.id));
  });

  it('quarantines a poison event the job names, with the server reason, and keeps the queue flowing', async () => {
    const hq = await stub({ maxEvents: 100, maxBytes: 1_000_000 });
    const outbox = new MemoryOutbox();
    outbox.add(300, new Set([150]));
    const summary = await new Sender({ outbox, url: hq.url, assemble, clock: fakeClock() }).run({ once: true });
    expect(outbox.counts()).toEqual({ pending: 0, confirmed: 299, quarantined: 1 });
    expect(outbox.rows[149]?.state).toBe('quarantined');
    expect(outbox.rows[149]?.reason).toContain('ValidationException');
    expect(outbox.rows[149]?.reason).toContain('未知的码');
    expect(hq.stored.size).toBe(299);
    expect(summary.retries).toBe(0);
    expect(hq.posts.length).toBe(4); // 100, 100 (rejected: poison named), 99 resent, 1 left
    // The batch prepared behind the rejected one was dropped: the rest of the queue still arrived in order.
    expect(hq.order().storedOrder).toEqual(outbox.rows.filter((r) => r.state === 'confirmed').map((r) => r.entry.id));
    expect(hq.order().postsBeforeJobDone).toBe(0);
  });

  it('bisects a rejection that names no event down to the poison one', async () => {
    const hq = await stub({ maxEvents: 64, maxBytes: 1_000_000, attribute: false });
    const outbox = new MemoryOutbox();
    outbox.add(200, new Set([37, 170]));
    await new Sender({ outbox, url: hq.url, assemble, clock: fakeClock() }).run({ once: true });
    expect(outbox.counts()).toEqual({ pending: 0, confirmed: 198, quarantined: 2 });
    expect(outbox.rows.filter((r) => r.state === 'quarantined').map((r) => r.entry.id)).toEqual([37, 170]);
    expect(hq.stored.size).toBe(198);
  });

  it('halves the batch on 413 until the receiver takes it', async () => {
    const hq = await stub({ maxEvents: 100, maxBytes: 1_000_000, hiddenMaxEvents: 30 });
    const outbox = new MemoryOutbox();
    outbox.add(250);
    await new Sender({ outbox, url: hq.url, assemble, clock: fakeClock() }).run({ once: true });
    expect(outbox.counts().confirmed).toBe(250);
    const sizes = hq.posts.map((p) => (JSON.parse(p) as { epcisBody: { eventList: unknown[] } }).epcisBody.eventList.length);
    expect(sizes.slice(0, 3)).toEqual([100, 50, 25]);
    expect(Math.max(...sizes.slice(2))).toBe(25);
  });

  it('cuts requests under its own byte ceiling whatever a generous receiver allows, and resends the same bytes', async () => {
    const hq = await stub({ maxEvents: 10_000, maxBytes: 64 * 2 ** 20, failPosts: { status: 503, count: 1 } });
    const outbox = new MemoryOutbox();
    outbox.add(400);
    await new Sender({ outbox, url: hq.url, assemble, clock: fakeClock(), maxBytesPerRequest: 5_000 }).run({ once: true });
    expect(outbox.counts()).toEqual({ pending: 0, confirmed: 400, quarantined: 0 });
    for (const p of hq.posts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(5_000);
    expect(hq.posts.length).toBeGreaterThan(400 / 100);
    // The first POST failed (503) and went again: the same rows, the same bytes, though the batch kept no bodies.
    expect(hq.posts[1]).toBe(hq.posts[0]);
    expect(hq.stored.size).toBe(400);
  });

  it('grows the batch from startEventsPerRequest on fast successes, up to its ceiling; a slow link keeps small batches', async () => {
    const sizes = (posts: readonly string[]) => posts.map((p) => (JSON.parse(p) as { epcisBody: { eventList: unknown[] } }).epcisBody.eventList.length);
    const fast = await stub({ maxEvents: 10_000, maxBytes: 10_000_000 });
    const a = new MemoryOutbox();
    a.add(3_000);
    await new Sender({ outbox: a, url: fast.url, assemble, clock: fakeClock(), startEventsPerRequest: 100, maxEventsPerRequest: 800 }).run({ once: true });
    expect(sizes(fast.posts)).toEqual([100, 200, 400, 800, 800, 700]);
    expect(a.counts().confirmed).toBe(3_000);
    expect(fast.order().storedOrder).toEqual(a.rows.map((r) => r.entry.id));

    // Each job runs for three polls 1 s, 2 s, 4 s apart: 7 s per batch, more than 15 s / 8.
    const slow = await stub({ maxEvents: 10_000, maxBytes: 10_000_000, runningPolls: 3 });
    const b = new MemoryOutbox();
    b.add(500);
    await new Sender({ outbox: b, url: slow.url, assemble, clock: fakeClock(), startEventsPerRequest: 100, jobPollMs: { min: 1_000, max: 4_000 } }).run({ once: true });
    expect(sizes(slow.posts)).toEqual([100, 100, 100, 100, 100]);
  });

  it('stops on 401 with the alarm state and resumes only with a new token', async () => {
    const hq = await stub({ maxEvents: 100, maxBytes: 1_000_000, token: 'good' });
    const outbox = new MemoryOutbox();
    outbox.add(120);
    let token = 'stale';
    const seen: SyncState[] = [];
    const clock = fakeClock();
    const sender = new Sender({ outbox, url: hq.url, assemble, clock, token: () => token, tokenPollMs: 1_000, onState: (s) => { seen.push(s); } });
    expect(await sender.run({ once: true })).toMatchObject({ confirmed: 0, state: 'stopped' });
    expect(seen).toEqual(['unauthorized', 'stopped']);
    expect(outbox.states.map((s) => s.state)).toEqual(['unauthorized', 'stopped']);
    expect(outbox.counts().pending).toBe(120);

    const controller = new AbortController();
    let polls = 0;
    const waiting = new Sender({
      outbox, url: hq.url, assemble, token: () => token, tokenPollMs: 1_000,
      clock: { ...clock, sleep: async (ms, signal) => { if (ms === 1_000 && (polls += 1) === 3) token = 'good'; await clock.sleep(ms, signal); } },
      onState: (s) => { if (s === 'idle' && outbox.counts().pending === 0) controller.abort(); },
    });
    await waiting.run({ signal: controller.signal });
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(outbox.counts()).toEqual({ pending: 0, confirmed: 120, quarantined: 0 });
  });

  it('retries 5xx with exponential backoff and resends byte-identical documents', async () => {
    const hq = await stub({ maxEvents: 40, maxBytes: 1_000_000, failPosts: { status: 503, count: 4 } });
    const outbox = new MemoryOutbox();
    outbox.add(100);
    const clock = fakeClock();
    const summary = await new Sender({ outbox, url: hq.url, assemble, clock, backoff: { baseMs: 100, maxMs: 10_000 } }).run({ once: true });
    expect(summary.retries).toBe(4);
    expect(clock.sleeps.filter((ms) => ms >= 75)).toEqual([75, 150, 300, 600]); // equal jitter at random 0.5
    expect(new Set(hq.posts.slice(0, 5)).size).toBe(1); // four failures and the success: the same bytes
    expect(outbox.rows[0]?.attempts).toBe(4);
    expect(hq.stored.size).toBe(100);
  });

  it('resumes after a restart without resending confirmed events', async () => {
    const hq = await stub({ maxEvents: 25, maxBytes: 1_000_000 });
    const outbox = new MemoryOutbox();
    outbox.add(200);
    const controller = new AbortController();
    await new Sender({
      outbox, url: hq.url, assemble, clock: fakeClock(),
      onState: (s) => { if (s === 'idle' && outbox.counts().confirmed >= 100) controller.abort(); },
    }).run({ signal: controller.signal });
    // A stopping sender writes the confirmations it holds (it writes each batch's during the next POST).
    const confirmedBefore = new Set(outbox.rows.filter((r) => r.state === 'confirmed').map((r) => r.entry.eventId));
    expect(confirmedBefore.size).toBeGreaterThanOrEqual(100);
    expect(confirmedBefore.size).toBeLessThan(200);
    expect(confirmedBefore.size).toBe(hq.stored.size);
    const postsBefore = hq.posts.length;
    await new Sender({ outbox, url: hq.url, assemble, clock: fakeClock() }).run({ once: true });
    const resent = hq.posts.slice(postsBefore).flatMap((p) => (JSON.parse(p) as { epcisBody: { eventList: { eventID: string }[] } }).epcisBody.eventList.map((e) => e.eventID));
    expect(resent.filter((id) => confirmedBefore.has(id))).toEqual([]);
    expect(resent).toHaveLength(200 - confirmedBefore.size);
    expect(hq.duplicatesDelivered()).toBe(0);
  });
});
