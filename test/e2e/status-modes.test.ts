import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../edge/api/client.ts';
import type { StationStatus } from '../../edge/api/contract.ts';
import { startApi } from '../../edge/api/index.ts';
import { startStationApi } from '../../edge/main.ts';
import { startBatch } from '../../edge/store/batches.ts';
import { openStore } from '../../edge/store/open.ts';
import { addUser } from '../../edge/store/users.ts';
import { capsOfCase, packageUuids, seedLine } from './batch-line-fixture.ts';
import { closeAfterEach } from '../support/close-after-each.ts';
import { startTestLine } from './station-fixture.ts';

/**
 * One line, two ways to see it (issue 16 §2): the station's own API (status from the running line runtime) and a
 * database-only API on the same file (`wuma api --config`, status from edge/store/station-queries.ts). Both must
 * show the same batch, counters, open pallet and last reads — reasons as keys — field by field. What only a running
 * station knows (the case being filled, alarms) is left out, as is the snapshot's source and time.
 */
const keep = closeAfterEach();

const SHARED: readonly (keyof StationStatus)[] = ['line', 'running', 'batch', 'counters', 'currentPallet', 'lastReads'];

async function client(url: string, token: string): Promise<ApiClient> {
  const c = new ApiClient({ baseUrl: url, token });
  await c.call('login', { body: { method: 'badge', badge: 'BADGE-OP-0001' } });
  return c;
}

describe('the status snapshot is the same from the running station and from the database alone', () => {
  it('agrees field by field while a batch runs with good cases, rejects of several reasons, a no-read and an open pallet, and after a pause; a newer batch of another line changes neither', async () => {
    const line = keep(await startTestLine(), (l) => l.close());
    const m = line.material;
    addUser(line.station.store.db, { id: 'op1', name: '王师傅', role: 'operator', pin: '246810', badge: 'BADGE-OP-0001' }, 'admin');
    const stationApi = keep(await startStationApi(line.station, { port: 0, rendererDir: null }), (a) => a.close());
    const second = keep(openStore(line.dbPath, { checkpointer: false }), (s) => s.close());
    const dbApi = keep(await startApi({ store: second, port: 0, rendererDir: null, line: 'T1' }), (a) => a.close());
    const [live, fromDb] = await Promise.all([client(stationApi.url, stationApi.token), client(dbApi.url, dbApi.token)]);

    line.startBatch();
    await line.runCase(capsOfCase(m, 0), m.cases[0]!.outer);
    await line.runCase(capsOfCase(m, 1).slice(0, 3), m.cases[1]!.outer); // missing bottle
    await line.runCase([...capsOfCase(m, 2).slice(0, 3), m.caps[40]!.inner], m.cases[2]!.outer); // wrong kind under the camera
    await line.runCase([], m.cases[3]!.outer); // camera no-read
    await line.runCase(capsOfCase(m, 4), m.cases[4]!.outer);
    await line.stackCase(m.cases[0]!.outer);
    // A batch of another line, newer than T1's: neither view may take it for this line's.
    const other = seedLine(second.db, { cases: 1 });
    startBatch(second.db, { productId: other.productId, lot: 'OTHER', productionDate: '2026-01-02', line: 'T2', packages: packageUuids(other), actor: 'tester' });

    const compare = async (): Promise<StationStatus> => {
      const [a, b] = await Promise.all([live.call('status'), fromDb.call('status')]);
      expect([a.source, b.source]).toEqual(['station', 'database']);
      for (const field of SHARED) expect(b[field], `status.${field}`).toEqual(a[field]);
      return a;
    };
    const running = await compare();
    expect(running.counters).toEqual({ good: 2, reject: 3, noRead: 1, cases: 2, pallets: 0 });
    expect(running.lastReads.map((r) => [r.outcome, r.reason])).toEqual([
      ['good', null], ['no-read', 'no-read'], ['reject', 'wrong'], ['reject', 'missing'], ['good', null],
    ]);
    expect(running.batch).toMatchObject({ line: 'T1', state: 'running' });

    await line.station.pauseBatch('tester');
    const paused = await compare();
    expect(paused).toMatchObject({ running: false, batch: { state: 'paused' } });
  });
});
