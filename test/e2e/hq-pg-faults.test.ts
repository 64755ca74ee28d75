/**
 * Issue 14 reliability: `wuma receiver --pg` processes keep serving through PostgreSQL connection loss.
 *
 * Two real receiver processes reach a throwaway PostgreSQL 15 through a TCP fault proxy. Real `wuma sync --once`
 * senders drain station outboxes (the station's event mix: commissioning, packing, pallets) into them while the
 * test cuts every database connection again and again (a partition of the proxy resets them mid-transaction)
 * and once restarts the server with `pg_ctl restart -m immediate`.
 *
 * Asserted: neither receiver process exits, every sender finishes, every outbox row is stored exactly once with
 * its body (looked up by eventID), and the faults invent no conflict. The `postgres` driver 3.4.x throws an
 * uncatchable TypeError from `nextWrite` when a transaction's connection dies between two statements
 * (porsager/postgres#1208) and can leave a connection that never sends again: the receiver must not die or stall.
 */
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildStation } from '../../bench/support/hq-station.ts';
import { verifyPostgres } from '../../bench/support/hq-verify.ts';
import { firstLine, spawnWuma, type WumaProcess } from '../../bench/support/wuma-process.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { startPgCluster, type PgCluster } from '../support/postgres.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const STATIONS = 4;
const EVENTS = 4_000;
/** At most this many cuts, one every 120–280 ms while the senders run. */
const CUTS = 50;
const RESTART_AT_CUT = 10;
const FINISH_WITHIN_MS = 150_000;

const alive = (p: WumaProcess): boolean => p.child.exitCode === null && p.child.signalCode === null;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let dir: TempDir;
let cluster: PgCluster;
let proxy: FaultProxy;
const procs: WumaProcess[] = [];

beforeAll(async () => {
  dir = makeTempDir('wuma-hq-faults-');
  cluster = await startPgCluster();
  proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: cluster.port } });
}, 120_000);

afterEach(async () => {
  for (const p of procs) if (alive(p)) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  procs.length = 0;
});

afterAll(async () => {
  await proxy?.close();
  cluster?.stop();
  dir?.remove();
});

describe('receivers on PostgreSQL through connection loss (e2e, real processes)', () => {
  it(`${STATIONS} senders × ${EVENTS} events into 2 receivers while every database connection is cut again and again and the server restarts once: no receiver exits, every event stored exactly once`, async () => {
    const stations = Array.from({ length: STATIONS }, (_, i) => dir.file(`station-${i}.db`));
    for (const [i, file] of stations.entries()) await buildStation(file, i, EVENTS, 'station');
    const url = `postgres://postgres@127.0.0.1:${proxy.port}/postgres`;
    const receivers = ['receiver A', 'receiver B'].map((name) => spawnWuma(name, ['receiver', '--json', '--port', '0', '--pg', url, '--pg-pool', '4']));
    procs.push(...receivers);
    const urls = await Promise.all(receivers.map(async (r) => (JSON.parse(await firstLine(r, 60_000)) as { url: string }).url));

    const senders = stations.map((db, i) => spawnWuma(`sender ${i}`, ['sync', '--once', '--json', '--to', `${urls[i % 2] ?? ''}/`, '--db', db]));
    procs.push(...senders);
    let finished = false;
    const done = Promise.all(senders.map((s) => s.exited)).then((codes) => { finished = true; return codes; });

    let cuts = 0;
    let restarted = false;
    const started = Date.now();
    while (!finished && Date.now() - started < FINISH_WITHIN_MS) {
      if (receivers.some((r) => !alive(r))) break;
      if (cuts < CUTS) {
        await sleep(120 + (cuts % 5) * 40);
        proxy.partition(30);
        cuts += 1;
        if (cuts === RESTART_AT_CUT && !restarted) { cluster.restartImmediate(); restarted = true; }
      } else {
        await sleep(100);
      }
    }
    const crashed = receivers.filter((r) => !alive(r)).map((r) => `exit ${String(r.child.exitCode ?? r.child.signalCode)}: ${r.stderr.slice(-8).join('\n')}`);
    expect(crashed, 'a receiver process exited').toEqual([]);
    expect(finished, `senders still running after ${FINISH_WITHIN_MS / 1000} s (a receiver stalled): ${senders.map((s) => s.stderr.slice(-2).join(' ')).join(' | ')}`).toBe(true);
    expect(await done).toEqual(senders.map(() => 0));
    expect(cuts).toBeGreaterThanOrEqual(10);
    expect(restarted).toBe(true);
    const retries = senders.map((s) => (JSON.parse(s.stdout.at(-1) ?? '{}') as { retries?: number }).retries ?? 0);
    console.info('hq pg faults', JSON.stringify({ seconds: (Date.now() - started) / 1000, cuts, retries, proxy: proxy.stats().refused }));

    const verdict = await verifyPostgres(cluster.url, stations, 0);
    expect(verdict).toMatchObject({ sent: STATIONS * EVENTS, missing: 0, differentBody: 0, duplicateEventIDs: 0, extraRows: 0, ok: true });
    const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
    try {
      expect(Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM conflicts`)[0]?.n)).toBe(0);
    } finally {
      await sql.end({ timeout: 5 });
    }
    for (const r of receivers) r.child.kill('SIGINT');
    expect(await Promise.all(receivers.map((r) => r.exited))).toEqual([0, 0]);
  }, 240_000);
});
