/**
 * `npm run bench -- <name> [args]` runs bench/<name>.ts on the pinned Node and lets it print its figures and
 * write bench/results/<name>.json. Without a name it lists the benchmarks. Benchmarks are serialised with a
 * lock file so two never measure each other.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const names = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts')).map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !names.includes(name)) {
  console.error(`用法 (usage): npm run bench -- <${names.join('|')}> [options]`);
  process.exit(name === undefined ? 0 : 2);
}
const script = join(dir, `${name}.ts`);
const lock = '/tmp/wuma-bench.lock';
const useFlock = existsSync('/usr/bin/flock');
const result = useFlock
  ? spawnSync('flock', [lock, process.execPath, '--expose-gc', script, ...rest], { stdio: 'inherit' })
  : spawnSync(process.execPath, ['--expose-gc', script, ...rest], { stdio: 'inherit' });
process.exit(result.status ?? 1);
