import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { makeTempDir, type TempDir } from './temp-dir.ts';

/**
 * A throwaway PostgreSQL 15 cluster from Debian's binaries (issue 14 §5), for tests and benches: `initdb` into a
 * temp dir, `pg_ctl start` on a free port, listening on a unix socket inside the temp dir and on 127.0.0.1 only.
 * The server refuses to run as root, so when this process is root every command runs as the `postgres` OS user
 * through `runuser`, and the temp dir is chowned to it. `stop()` stops the server (fast mode) and removes the dir.
 *
 * `fsync` stays on: the bench's `pg_ctl restart -m immediate` must not lose an acknowledged capture.
 */
export const INITDB = '/usr/lib/postgresql/15/bin/initdb';
export const PG_CTL = '/usr/lib/postgresql/15/bin/pg_ctl';
export const RUNUSER = 'runuser';

export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** `pg_ctl restart -m immediate`: a crash of the server (no checkpoint, WAL replay at start). */
  restartImmediate(): void;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => { resolve(port); });
    });
  });
}

const asRoot = (): boolean => userInfo().uid === 0;

function run(program: string, args: readonly string[]): void {
  const [cmd, argv] = asRoot() ? [RUNUSER, ['-u', 'postgres', '--', program, ...args]] : [program, [...args]];
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface PgClusterOptions {
  /** `max_connections` (default 100). */
  readonly maxConnections?: number;
  /** Extra `postgresql.conf` lines. */
  readonly settings?: Readonly<Record<string, string | number>>;
}

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const dir: TempDir = makeTempDir('wuma-pg-');
  const dataDir = dir.file('data');
  const socketDir = dir.file('socket');
  mkdirSync(socketDir);
  if (asRoot()) {
    const entry = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'))?.split(':');
    if (entry === undefined) throw new Error('没有 postgres 系统用户 (no postgres OS user: install postgresql-15)');
    chownSync(dir.path, Number(entry[2]), Number(entry[3]));
    chownSync(socketDir, Number(entry[2]), Number(entry[3]));
  }
  chmodSync(dir.path, 0o755);
  const port = await freePort();
  try {
    run(INITDB, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions']);
    // Settings on the server's command line: pg_ctl keeps them in postmaster.opts for `restart`.
    const settings: Record<string, string | number> = {
      port, listen_addresses: '127.0.0.1', unix_socket_directories: socketDir, max_connections: options.maxConnections ?? 100,
      ...options.settings,
    };
    const opts = Object.entries(settings).map(([k, v]) => `-c ${k}=${String(v)}`).join(' ');
    run(PG_CTL, ['-D', dataDir, '-l', `${dir.path}/server.log`, '-w', '-t', '60', '-o', opts, 'start']);
  } catch (error) {
    dir.remove();
    throw new Error(`PostgreSQL 测试集群无法启动 (cannot start the test cluster): ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message)}`, { cause: error });
  }
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    restartImmediate() {
      run(PG_CTL, ['-D', dataDir, '-l', `${dir.path}/server.log`, '-w', '-t', '60', '-m', 'immediate', 'restart']);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try { run(PG_CTL, ['-D', dataDir, '-w', '-t', '60', '-m', 'fast', 'stop']); } finally { dir.remove(); }
    },
  };
}
