/**
 * Private measuring script for the reference receiver (issue 5), not a test and not the bench:
 *
 *   node_modules/.bin/node sync/receiver/measure-ingest.ts [--events N] [--per N] [--mix] [--http] [--store]
 *
 * - store: capture document text → `ReceiverStore` committed (JSON.parse, envelope check, ingest), in process.
 * - http: the receiver as a child process (`wuma receiver`), documents POSTed one after another over loopback,
 *   each followed by `GET /capture/{id}` like the sender does.
 * Prints events/s per phase and receiver DB bytes per event (after a WAL checkpoint).
 * Workload: the bench's single-code commissioning events; `--mix` adds one packing event per 12 codes.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { captureDocument } from '../epcis/capture-document.ts';
import { parseEpcisContext } from '../epcis/epcis-context.ts';
import { freezeEvent } from '../epcis/freeze-event.ts';
import { mapFact } from '../epcis/map-fact.ts';
import { documentEvents, validateEnvelope, warmValidators } from '../epcis/validate.ts';
import { makeTempDir } from '../../test/support/temp-dir.ts';
import { ReceiverStore } from './receiver-store.ts';

const { values } = parseArgs({ options: {
  events: { type: 'string', default: '200000' },
  per: { type: 'string', default: '5000,10000' },
  mix: { type: 'boolean', default: false },
  http: { type: 'boolean', default: false },
  store: { type: 'boolean', default: false },
} });
const EVENTS = Number(values.events);
const PER = values.per.split(',').map(Number);
const both = !values.http && !values.store;
const ROOT = join(import.meta.dirname, '..', '..');

function buildBodies(n: number): string[] {
  const ctx = parseEpcisContext({ readPoint: 'urn:epc:id:sgln:6901234.00001.1', bizLocation: 'urn:epc:id:sgln:6901234.00001.0', identifiers: { uriTemplate: 'https://c.brand.example/{kind}/{code}' } });
  const t0 = Date.parse('2026-03-01T00:00:00Z');
  const code = (i: number): string => `K${i.toString(36).toUpperCase().padStart(8, '0')}`;
  const out: string[] = [];
  let pending: string[] = [];
  for (let i = 0; out.length < n; i += 1) {
    out.push(freezeEvent(mapFact({ type: 'commissioning', time: t0 + i, kind: 'cap-outer', codes: [code(i)], lot: 'L2603' }, ctx)).body);
    if (values.mix) {
      pending.push(code(i));
      if (pending.length === 12 && out.length < n) {
        out.push(freezeEvent(mapFact({ type: 'packing', time: t0 + i, parentKind: 'case-outer', parent: `C${i}`, childKind: 'cap-outer', children: pending }, ctx)).body);
        pending = [];
      }
    }
  }
  return out;
}

function documents(bodies: readonly string[], per: number): string[] {
  const docs: string[] = [];
  for (let i = 0; i < bodies.length; i += per) docs.push(captureDocument(bodies.slice(i, i + per)));
  return docs;
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

function storeOnly(docs: readonly string[], n: number, per: number): void {
  const dir = makeTempDir('wuma-measure-');
  try {
    const store = new ReceiverStore(dir.file('hq.db'));
    warmValidators();
    const start = performance.now();
    let stored = 0;
    for (const text of docs) {
      const doc = JSON.parse(text) as unknown;
      if (!validateEnvelope(doc).ok) throw new Error('bad envelope');
      const outcome = store.ingest(documentEvents(doc), { behaviour: 'rollback', captureID: 'm' });
      if (outcome.errors.length > 0) throw new Error(JSON.stringify(outcome.errors[0]));
      stored += outcome.stored;
    }
    const s = (performance.now() - start) / 1000;
    store.close();
    const bytes = statSync(dir.file('hq.db')).size;
    console.log(`store  per=${per}  ${stored}/${n} events  ${s.toFixed(2)} s  ${Math.round(n / s)} events/s  ${(s * 1e6 / n).toFixed(1)} µs/event  db ${mib(bytes)} MiB = ${Math.round(bytes / n)} B/event`);
  } finally {
    dir.remove();
  }
}

async function http(docs: readonly string[], n: number, per: number): Promise<void> {
  const dir = makeTempDir('wuma-measure-');
  const child = spawn(process.execPath, ['bin/wuma.js', 'receiver', '--port', '0', '--json', '--db', dir.file('hq.db'), '--max-events', String(Math.max(per, 10_000)), '--max-bytes', String(64 * 2 ** 20)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => { child.once('exit', resolve); });
  try {
    const lines = createInterface({ input: child.stdout });
    const { url } = JSON.parse(await new Promise<string>((resolve) => { lines.once('line', resolve); })) as { url: string };
    const start = performance.now();
    let stored = 0;
    for (const text of docs) {
      const res = await fetch(`${url}/capture`, { method: 'POST', body: text, headers: { 'Content-Type': 'application/ld+json' } });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`status ${res.status}`);
      const job = (await (await fetch(`${url}${res.headers.get('location') ?? ''}`)).json()) as { storedCount: number; success: boolean };
      if (!job.success) throw new Error('capture failed');
      stored += job.storedCount;
    }
    const s = (performance.now() - start) / 1000;
    child.kill('SIGINT');
    await exited;
    const bytes = statSync(dir.file('hq.db')).size;
    console.log(`http   per=${per}  ${stored}/${n} events  ${s.toFixed(2)} s  ${Math.round(n / s)} events/s  db ${Math.round(bytes / n)} B/event`);
  } finally {
    if (child.exitCode === null) { child.kill('SIGKILL'); await exited; }
    dir.remove();
  }
}

const t = performance.now();
const bodies = buildBodies(EVENTS);
console.log(`built ${bodies.length} events in ${((performance.now() - t) / 1000).toFixed(1)} s${values.mix ? ' (mix)' : ''}`);
for (const per of PER) {
  const docs = documents(bodies, per);
  if (both || values.store) storeOnly(docs, bodies.length, per);
  if (both || values.http) await http(docs, bodies.length, per);
}
