/**
 * `npm run bench -- dispatch-crash [--kills N] [--pdas P]` (defaults: 50 kills, 4 PDAs): issue 13's reliability
 * figure. edge (bench/support/dispatch-edge.ts: the store and the real local API over HTTPS) is killed with SIGKILL
 * at a random moment (150–1200 ms after it serves) while PDAs scan cases of their orders as fast as they are
 * answered (the kill clock starts once they are logged in), then started again on the same database, N times. Every scan answered ok is recorded.
 *
 * After the last kill: every scan answered ok is shipped on its order (a row in shipped_items), none half-done —
 * `wuma verify`'s dispatch invariants (shipped ⇒ aggregated and not voided, order counts = shipped items, no case
 * shipped twice without a return between) and the rest of its checks pass; a case taken off its pallet is either
 * still on it (scan not committed) or off it and shipped (its unpacking and shipping in one transaction).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../edge/store/open.ts';
import { verifyStore } from '../edge/store/verify.ts';
import { PdaClient, seedDispatch, startEdge } from './support/dispatch-stock.ts';
import { writeResults } from './support/results.ts';

const { values } = parseArgs({ options: { kills: { type: 'string' }, pdas: { type: 'string' } } });
const kills = Number(values.kills ?? 50);
const pdaCount = Number(values.pdas ?? 4);
if (!Number.isInteger(kills) || kills < 1 || kills > 10_000 || !Number.isInteger(pdaCount) || pdaCount < 1 || pdaCount > 50) {
  console.error('--kills 应为 1..10000，--pdas 应为 1..50 (--kills 1..10000, --pdas 1..50)');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'wuma-bench-dispatch-crash-'));
const dbPath = join(dir, 'station.db');
try {
  const casesPerPda = kills * 12;
  const store = openStore(dbPath, { checkpointer: false });
  const pdas = seedDispatch(store.db, pdaCount, casesPerPda);
  await store.close();
  console.log(`出库崩溃测试 (dispatch crash harness): ${kills} × kill -9, ${pdaCount} PDAs, ${pdaCount * casesPerPda} cases on order, dir ${dir}`);
  const ok = new Map<string, string>();
  const next = pdas.map(() => 0);
  let answered = 0;
  let cutOff = 0;
  let readyTotal = 0;
  for (let k = 0; k < kills; k += 1) {
    const edge = await startEdge(dbPath);
    readyTotal += edge.readyMs;
    const clients = pdas.map((p) => new PdaClient(edge.port, p));
    // Badge logins first (sessions live in edge's memory: a restart logs every PDA out), then the kill clock runs.
    await Promise.all(clients.map((c) => c.login()));
    let alive = true;
    const killAfter = 150 + Math.floor(Math.random() * 1050);
    const killer = new Promise<void>((resolve) => setTimeout(() => { alive = false; edge.child.kill('SIGKILL'); resolve(); }, killAfter));
    await Promise.all([killer, ...clients.map(async (c, i) => {
      try {
        while (alive) {
          // A case not answered before the kill may or may not be shipped: it is scanned again after the restart
          // (then ok or 已发货), exactly as a warehouse worker whose PDA lost the answer scans it again.
          const code = c.pda.cases[next[i] ?? 0];
          if (code === undefined) return;
          const r = await c.scan(code);
          answered += 1;
          if (r.status === 200 && r.json.result.kind === 'ok') ok.set(code, c.pda.orderId);
          if (r.status === 200) next[i] = (next[i] ?? 0) + 1;
        }
      } catch {
        cutOff += 1; // the connection died with edge
      }
    })]);
    await new Promise((r) => { if (edge.child.exitCode !== null || edge.child.signalCode !== null) r(null); else edge.child.once('exit', r); });
    for (const c of clients) c.close();
    if ((k + 1) % 10 === 0) console.log(`  ${k + 1}/${kills} kills, ${ok.size} scans answered ok so far`);
  }
  const check = openStore(dbPath, { checkpointer: false });
  const notShipped = [...ok].filter(([code, order]) => check.db.prepare('SELECT count(*) FROM shipped_items WHERE code = ? AND order_id = ?').pluck().get(code, order) !== 1);
  const shippedRows = check.db.prepare('SELECT count(*) FROM shipped_items').pluck().get() as number;
  const verify = verifyStore(check.db);
  await check.close();
  writeResults('dispatch-crash', {
    goal: 'kill -9 of edge during dispatch scanning (≥ 50 kills): every scan answered ok is shipped, none half-done (issue 13)',
    kills, pdas: pdaCount, scansAnswered: answered, answeredOk: ok.size, scansCutOffByKill: cutOff, shippedRows,
    okAnsweredNotShipped: notShipped.length, examples: notShipped.slice(0, 5).map(([c]) => c),
    verify: { ok: verify.checks.every((c) => c.ok), failed: verify.checks.filter((c) => !c.ok).map((c) => c.id) },
    edgeReadyMsMean: Math.round(readyTotal / kills),
    // A run in which no scan was answered proves nothing.
    pass: ok.size > 0 && notShipped.length === 0 && verify.checks.every((c) => c.ok),
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
