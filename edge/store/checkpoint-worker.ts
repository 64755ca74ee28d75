/**
 * Background WAL checkpointer (runs in a worker thread with its own connection). The main connection sets
 * wal_autocheckpoint=0 so no commit ever pays for a checkpoint (~20 ms p99 spikes otherwise, feasibility §4a);
 * this loop runs PRAGMA wal_checkpoint(PASSIVE), which never blocks writers or readers.
 *
 * When: on a `nudge` from the writer (it has just committed and has nothing in hand, e.g. the case station
 * between two cases), once at least `minGapMs` passed since the last checkpoint — so the checkpoint's page copy
 * and database fsync run in the gap between commits instead of over the next commit's WAL fsync, which it would
 * slow down; and every `intervalMs` without a nudge (an idle line, API or sync processes).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

interface Options { readonly path: string; readonly intervalMs: number; readonly minGapMs: number }
const { path, intervalMs, minGapMs } = workerData as Options;
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

let stopped = false;
let timer: NodeJS.Timeout | undefined;
let lastRun = performance.now();

function tick(): void {
  if (stopped) return;
  if (timer) clearTimeout(timer);
  try {
    const row = checkpoint.get() as { busy: number; log: number; checkpointed: number };
    parentPort?.postMessage({ type: 'checkpointed', ...row });
  } catch (error) {
    // SQLITE_BUSY is expected now and then (another checkpoint or a recovery holds the lock): try next tick.
    const code = (error as { code?: string }).code;
    if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') parentPort?.postMessage({ type: 'error', message: String(error) });
  }
  lastRun = performance.now();
  timer = setTimeout(tick, intervalMs);
}

parentPort?.on('message', (msg: { type: string }) => {
  if (msg.type === 'nudge') {
    if (!stopped && performance.now() - lastRun >= minGapMs) tick();
  } else if (msg.type === 'stop') {
    stopped = true;
    if (timer) clearTimeout(timer);
    try { checkpoint.get(); } catch { /* final best-effort checkpoint; the next open will checkpoint anyway */ }
    db.close();
    parentPort?.postMessage({ type: 'stopped' });
    parentPort?.close();
  }
});

timer = setTimeout(tick, intervalMs);
