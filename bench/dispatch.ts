/**
 * `npm run bench -- dispatch [--codes N] [--pdas P] [--rate R] [--seconds S]` (defaults: 10,000,000 background
 * codes, 10 PDAs × 5 scans/s for 30 s). Issue 13's figure: dispatch scan → decision p99 ≤ 30 ms over the LAN API
 * (HTTPS) on a 10M-code database.
 *
 * 1. A database the size of a real station's: N codes from the real generator (as bench/station.ts), then stock made
 *    on the line with the real case and pallet commits (their EPCIS events), one order per PDA, each PDA paired with
 *    a device token and its own warehouse user (bench/support/dispatch-stock.ts).
 * 2. edge in its own process (bench/support/dispatch-edge.ts: the store and the real local API over HTTPS with TLS,
 *    as a LAN station serves PDAs). The PDAs in this process, each on its own keep-alive HTTPS connection with its
 *    device token and badge session, scan on an open-loop schedule (R per second each, phases spread): mostly single
 *    cases — the first case of each pallet unpacks it (AggregationEvent DELETE, then the shipping ObjectEvent) — and
 *    every 10th scan a case already shipped (refused 已发货, nothing changed). Latency = request written → answer
 *    parsed, measured from the scheduled send time (a late send counts against the figure).
 * 3. Afterwards: every scan answered ok is shipped, none twice, `wuma verify`'s checks pass; RSS of every process.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILES } from '../edge/codes/profile.ts';
import { startGeneration } from '../edge/generate/index.ts';
import { openStore } from '../edge/store/open.ts';
import { verifyStore } from '../edge/store/verify.ts';
import { PdaClient, seedDispatch, startEdge } from './support/dispatch-stock.ts';
import { percentile, writeResults } from './support/results.ts';
import { RssSampler } from './support/rss.ts';

const { values } = parseArgs({ options: { codes: { type: 'string' }, pdas: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' } } });
const num = (raw: string | undefined, fallback: number, min: number, max: number, name: string): number => {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) { console.error(`--${name} 应在 ${min}..${max} 之间，收到 ${raw ?? ''} (--${name} out of range)`); process.exit(2); }
  return n;
};
const backgroundCodes = num(values.codes, 10_000_000, 0, 100_000_000, 'codes');
const pdaCount = num(values.pdas, 10, 1, 100, 'pdas');
const rate = num(values.rate, 5, 0.1, 100, 'rate');
const seconds = num(values.seconds, 30, 1, 3600, 'seconds');
const scansPerPda = Math.ceil(rate * seconds);
// Every 10th scan repeats a shipped case: the rest need stock.
const casesPerPda = scansPerPda - Math.floor(scansPerPda / 10) + 1;

const dir = mkdtempSync(join(tmpdir(), 'wuma-bench-dispatch-'));
const dbPath = join(dir, 'station.db');
try {
  console.log(`出库基准 (dispatch benchmark): ${backgroundCodes.toLocaleString('en-US')} background codes, ${pdaCount} PDAs × ${rate}/s for ${seconds} s, dir ${dir}`);
  const genStarted = performance.now();
  for (const [kind, count] of [['cap-inner', Math.ceil(backgroundCodes / 2)], ['cap-outer', Math.floor(backgroundCodes / 2)]] as const) {
    if (count > 0) await startGeneration(dbPath, { uuid: randomUUID(), kind, productId: null, profile: DEFAULT_PROFILES[kind], count, actor: 'bench', out: null });
  }
  const generateS = (performance.now() - genStarted) / 1000;
  const seedStarted = performance.now();
  const store = openStore(dbPath, { checkpointer: false });
  const pdas = seedDispatch(store.db, pdaCount, casesPerPda);
  const databaseCodes = store.db.prepare('SELECT count(*) FROM codes').pluck().get() as number;
  await store.close();
  const seedS = (performance.now() - seedStarted) / 1000;
  console.log(`  数据库 (database): ${databaseCodes.toLocaleString('en-US')} codes; generated in ${generateS.toFixed(1)} s, stock and orders in ${seedS.toFixed(1)} s`);

  const edge = await startEdge(dbPath);
  const rss = new RssSampler([edge.child.pid ?? 0, process.pid], 100);
  const clients = pdas.map((p) => new PdaClient(edge.port, p));
  await Promise.all(clients.map((c) => c.login()));
  const latencies: number[] = [];
  const timeline: [number, number][] = [];
  const okCodes = new Map<string, string>();
  const outcomes: Record<string, number> = {};
  let errors = 0;
  const periodMs = 1000 / rate;
  const t0 = performance.now() + 200;
  await Promise.all(clients.map(async (c, k) => {
    let next = 0;
    const shipped: string[] = [];
    for (let i = 0; i < scansPerPda; i += 1) {
      const due = t0 + (k / pdaCount) * periodMs + i * periodMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const repeat = i % 10 === 9 && shipped.length > 0;
      const code = repeat ? shipped[(i * 7) % shipped.length] ?? '' : c.pda.cases[next++] ?? '';
      try {
        const r = await c.scan(code);
        latencies.push(performance.now() - due);
        timeline.push([due - t0, performance.now() - due]);
        const kind = r.status === 200 ? (r.json.result.kind === 'ok' ? 'ok' : `refused:${r.json.result.reason as string}`) : `http:${r.status}`;
        outcomes[kind] = (outcomes[kind] ?? 0) + 1;
        if (kind === 'ok') { okCodes.set(code, c.pda.orderId); shipped.push(code); }
      } catch {
        errors += 1;
      }
    }
  }));
  rss.sampleNow();
  for (const c of clients) c.close();
  edge.child.kill('SIGTERM');
  await new Promise((r) => edge.child.once('exit', r));
  const rssFigures = rss.stop();

  const check = openStore(dbPath, { checkpointer: false });
  const notShipped = [...okCodes].filter(([code, order]) => check.db.prepare('SELECT count(*) FROM shipped_items WHERE code = ? AND order_id = ?').pluck().get(code, order) !== 1).length;
  const verify = verifyStore(check.db);
  await check.close();
  latencies.sort((a, b) => a - b);
  // The first second is warm-up (statements prepared, JIT): reported apart, and the goal is judged on both.
  const steady = timeline.filter(([t]) => t >= 1000).map(([, l]) => l).sort((a, b) => a - b);
  const slow = timeline.filter(([, l]) => l > 30).map(([t, l]) => [Math.round(t), Math.round(l)]).slice(0, 20);
  const round = (n: number): number => Math.round(n * 100) / 100;
  const p99 = round(percentile(latencies, 99));
  writeResults('dispatch', {
    goal: 'dispatch scan → decision p99 ≤ 30 ms over HTTPS, 10 PDAs × 5 codes/s, 10M-code database (issue 13)',
    databaseCodes, backgroundCodes, generateS: round(generateS), seedS: round(seedS), pdas: pdaCount, ratePerPda: rate, seconds,
    scans: latencies.length, errors, outcomes,
    latencyMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99, max: round(latencies.at(-1) ?? Number.NaN) },
    steadyLatencyMs: { scans: steady.length, p50: round(percentile(steady, 50)), p99: round(percentile(steady, 99)), max: round(steady.at(-1) ?? Number.NaN) },
    slowScans: slow,
    p99WithinGoal: p99 <= 30,
    edgeReadyMs: Math.round(edge.readyMs),
    rssMiB: { edge: rssFigures.get(edge.child.pid ?? 0) ?? null, benchAndPdas: rssFigures.get(process.pid) ?? null },
    okAnsweredNotShipped: notShipped,
    verify: { ok: verify.checks.every((c) => c.ok), failed: verify.checks.filter((c) => !c.ok).map((c) => c.id) },
    transport: 'HTTPS (TLS, test certificate) to the real local API in its own process (bench/support/dispatch-edge.ts); keep-alive connection per PDA; device token + badge session',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
