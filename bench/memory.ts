/**
 * `npm run bench -- memory [--minutes M]` — the station's leak check (issue 12): one run of the station bench of
 * M minutes (default 10) at 100 cases/s on a 10M-code database, the station's VmRSS recorded each minute, its
 * steady RSS (median over the last third of the run) and peak; growth = RSS at minute M − RSS at minute 2.
 * Writes bench/results/memory.json.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { minutes: { type: 'string' } }, allowPositionals: true, strict: false });
const minutes = Number(values.minutes ?? 10);
if (!Number.isFinite(minutes) || minutes < 1 || minutes > 120) {
  console.error(`--minutes 应在 1..120 之间 (--minutes out of range): ${String(values.minutes)}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--expose-gc', join(import.meta.dirname, 'station.ts'), '--runs', '1', '--seconds', String(minutes * 60), '--raw', '200', '--fsync-seconds', '0', '--sample-ms', '1000', '--name', 'memory', ...positionals], { stdio: 'inherit' });
process.exit(result.status ?? 1);
