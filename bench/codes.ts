/**
 * `npm run bench -- codes [--count N] [--skip-naive] [--cache-mib M]` (default 10,000,000 cap-inner codes). In one run:
 *
 * (b) wuma's path: startGeneration — the same worker, sort, 1M-row transactions and export the CLI uses —
 *     into a fresh database with --out, timed from the call to the worker's exit (checkpoint included);
 * (a) the naive path: the same codes drawn in unsorted batches of 100k, one INSERT per row into a rowid
 *     table with a UNIQUE index on the code, one transaction per batch, same WAL + synchronous=FULL pragmas
 *     and 64 MiB cache — what a typical application does. It is not even asked to export.
 *
 * Prints codes/s of both, the speed-up, DB bytes per code, and peak RSS of each path (the worker is a
 * thread, so the process's VmHWM covers main + worker; it is reset between paths through
 * /proc/self/clear_refs). (c) then runs the real `wuma codes generate` process for the same count and records its
 * peak (VmHWM sampled until it exits) and its own timings: issue 12's goal is ≤ 256 MiB for 10M codes. Figures land in bench/results/codes.json. Goals (issue 2): wuma ≥ 5× naive,
 * 10M generated + persisted + exported in ≤ 20 s, ≤ 40 bytes per code.
 */
import { spawn } from 'node:child_process';
import { randomFillSync, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { generateRecords } from '../edge/codes/generate.ts';
import { DEFAULT_PROFILES } from '../edge/codes/profile.ts';
import { startGeneration } from '../edge/generate/index.ts';
import { applyPragmas } from '../edge/store/open.ts';
import { writeResults } from './support/results.ts';

const { values } = parseArgs({ options: { count: { type: 'string' }, 'skip-naive': { type: 'boolean' }, 'cache-mib': { type: 'string' } } });
const count = Number(values.count ?? 10_000_000);
if (!Number.isSafeInteger(count) || count < 1 || count > 100_000_000) {
  console.error(`--count 应为 1..100000000 的整数，收到 ${values.count ?? ''} (--count must be a whole number 1..100000000)`);
  process.exit(2);
}
const NAIVE_BATCH = 100_000;
const profile = DEFAULT_PROFILES['cap-inner'];
const random = (target: Uint8Array): void => { randomFillSync(target); };

/** Resets the peak-RSS counter (Linux ≥ 4.0); false if not possible, then the peak is since process start. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function peakRssMiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

function dbBytes(path: string): number {
  return [path, `${path}-wal`].filter((p) => existsSync(p)).reduce((sum, p) => sum + statSync(p).size, 0);
}

const dir = mkdtempSync(join(tmpdir(), 'wuma-bench-codes-'));
const rate = (n: number, ms: number): number => Math.round(n / (ms / 1000));
try {
  console.log(`码生成基准 (code generation benchmark): ${count.toLocaleString('en-US')} cap-inner codes, dir ${dir}`);

  // (b) wuma's path, measured first so its peak RSS is not inflated by the naive path's heap.
  globalThis.gc?.();
  const resettable = resetPeakRss();
  const wumaDb = join(dir, 'wuma.db');
  const out = join(dir, 'codes.txt');
  const t0 = performance.now();
  const { result, checkpointMs } = await startGeneration(wumaDb, {
    uuid: randomUUID(), kind: 'cap-inner', productId: null, profile, count, actor: 'bench', out: { type: 'plain', path: out },
  }, {
    ...(values['cache-mib'] === undefined ? {} : { cacheMiB: Number(values['cache-mib']) }),
    onProgress: (p) => { if (p.phase === 'insert') process.stdout.write(`  wuma: ${p.done.toLocaleString('en-US')} committed, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`); },
  });
  const wumaMs = performance.now() - t0;
  const wumaPeak = peakRssMiB();
  const wuma = {
    seconds: +(wumaMs / 1000).toFixed(2),
    codesPerSecond: rate(count, wumaMs),
    insertOnlyCodesPerSecond: rate(count, result.timingsMs.insert),
    timingsMs: { ...result.timingsMs, checkpoint: checkpointMs, wall: Math.round(wumaMs) },
    transactions: result.transactions,
    dbBytesPerCode: +(dbBytes(wumaDb) / count).toFixed(1),
    exportBytes: statSync(out).size,
    peakRssMiB: wumaPeak,
  };
  console.log(`  wuma: ${wuma.seconds} s, ${wuma.codesPerSecond.toLocaleString('en-US')} codes/s (generated + persisted + exported), ${wuma.dbBytesPerCode} B/code, peak RSS ${wumaPeak} MiB`);
  rmSync(out);

  // (c) The real CLI process (main + generator worker), as an operator runs it.
  const cliDb = join(dir, 'cli.db');
  const cliOut = join(dir, 'cli-codes.txt');
  const cliStart = performance.now();
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'wuma.js'), 'codes', 'generate', '--kind', 'cap-inner', '--count', String(count), '--out', cliOut, '--db', cliDb, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let cliPeakKb = 0;
  const sampleCli = (): void => {
    try { cliPeakKb = Math.max(cliPeakKb, Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0)); } catch { /* exited */ }
  };
  const cliTimer = setInterval(sampleCli, 50);
  let cliJson = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { cliJson += d; });
  const cliCode = await new Promise<number | null>((resolve) => { child.once('exit', resolve); });
  clearInterval(cliTimer);
  if (cliCode !== 0) throw new Error(`wuma codes generate 退出码 ${String(cliCode)} (failed): ${cliJson}`);
  const cliResult = JSON.parse(cliJson) as { timingsMs?: Record<string, number> };
  const cli = { seconds: +((performance.now() - cliStart) / 1000).toFixed(2), peakRssMiB: Math.round(cliPeakKb / 1024), timingsMs: cliResult.timingsMs ?? null };
  console.log(`  wuma codes generate (CLI process): ${cli.seconds} s, peak RSS ${cli.peakRssMiB} MiB`);
  rmSync(cliOut);
  rmSync(cliDb, { force: true });

  let naive: Record<string, number> | null = null;
  if (values['skip-naive'] !== true) {
    globalThis.gc?.();
    resetPeakRss();
    const naiveDb = join(dir, 'naive.db');
    const db = new Database(naiveDb);
    applyPragmas(db, 64);
    db.exec('CREATE TABLE codes (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL, status INTEGER NOT NULL DEFAULT 0, package_id INTEGER NOT NULL)');
    const insert = db.prepare('INSERT INTO codes (code, kind, package_id) VALUES (?, 1, 1)');
    const t1 = performance.now();
    let duplicates = 0;
    for (let done = 0; done < count; done += NAIVE_BATCH) {
      const n = Math.min(NAIVE_BATCH, count - done);
      const { width, bytes } = generateRecords(profile, n, random);
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, n * width).toString('latin1');
      db.transaction(() => {
        for (let i = 0; i < n; i += 1) {
          try {
            insert.run(text.slice(i * width, (i + 1) * width));
          } catch (error) {
            if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
            duplicates += 1;
          }
        }
      })();
      if ((done + n) % 1_000_000 === 0) process.stdout.write(`  naive: ${(done + n).toLocaleString('en-US')}, ${((performance.now() - t1) / 1000).toFixed(1)} s\n`);
    }
    const naiveMs = performance.now() - t1;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    naive = {
      seconds: +(naiveMs / 1000).toFixed(2),
      codesPerSecond: rate(count, naiveMs),
      dbBytesPerCode: +(dbBytes(naiveDb) / count).toFixed(1),
      peakRssMiB: peakRssMiB(),
      duplicates,
    };
    console.log(`  naive: ${naive['seconds']} s, ${(naive['codesPerSecond'] ?? 0).toLocaleString('en-US')} codes/s, ${naive['dbBytesPerCode']} B/code`);
  }

  const speedup = naive ? +(wuma.codesPerSecond / (naive['codesPerSecond'] ?? 1)).toFixed(1) : null;
  writeResults('codes', {
    count,
    kind: 'cap-inner',
    codeWidth: result.width,
    wuma,
    cli,
    naive,
    speedup,
    peakRssResettable: resettable,
    goals: {
      speedupAtLeast5: speedup === null ? null : speedup >= 5,
      within20sFor10M: count === 10_000_000 ? wuma.seconds <= 20 : null,
      atMost40BytesPerCode: wuma.dbBytesPerCode <= 40,
      cliPeakRssAtMost256MiB: count === 10_000_000 ? cli.peakRssMiB <= 256 : null,
    },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
