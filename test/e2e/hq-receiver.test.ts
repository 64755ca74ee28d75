/**
 * Issue 14: the receiver storage conformance suite (sync/receiver/receiver-storage.case.ts) against both adapters —
 * two receivers on one real PostgreSQL 15 (a throwaway cluster from Debian's binaries, a fresh database per case)
 * and two receivers on one SQLite file — over real HTTP on 127.0.0.1.
 */
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { describeReceiverStorage, type ReceiverPair } from '../../sync/receiver/receiver-storage.case.ts';
import { startReceiver, type RunningHqReceiver } from '../../sync/index.ts';
import { startPgCluster, type PgCluster } from '../support/postgres.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

let pair: ReceiverPair | null = null;
let opened: RunningHqReceiver[] = [];
afterEach(async () => {
  for (const r of opened.reverse()) await r.close();
  opened = [];
  pair = null;
});
const current = (): ReceiverPair => {
  if (pair === null) throw new Error('no receivers');
  return pair;
};

describeReceiverStorage('SQLite, two receivers on one file', current);
let dir: TempDir;
beforeEach(async (ctx) => {
  if (!ctx.task.suite?.name.includes('SQLite')) return;
  dir = makeTempDir();
  const a = await startReceiver({ port: 0, dbPath: dir.file('hq.db') });
  const b = await startReceiver({ port: 0, dbPath: dir.file('hq.db') });
  opened = [a, b];
  pair = { a, b };
});

describeReceiverStorage('PostgreSQL, two receivers on one server', current);
let cluster: PgCluster;
let n = 0;
beforeAll(async () => { cluster = await startPgCluster(); }, 120_000);
afterAll(() => { cluster.stop(); dir?.remove(); });
beforeEach(async (ctx) => {
  if (!ctx.task.suite?.name.includes('PostgreSQL')) return;
  n += 1;
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE conformance_${n}`);
  await admin.end();
  const url = cluster.url.replace(/\/postgres$/, `/conformance_${n}`);
  const a = await startReceiver({ port: 0, pg: url, pgPoolMax: 4 });
  const b = await startReceiver({ port: 0, pg: url, pgPoolMax: 4 });
  opened = [a, b];
  pair = { a, b };
});
