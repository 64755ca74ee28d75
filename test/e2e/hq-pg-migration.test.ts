/**
 * Issue 14: the PostgreSQL receiver's schema migrations 2 and 3 on a database schema version 1 wrote. Version 1
 * indexed a commissioning twice (a role-1 `codes` row and the `commissioned` row) and compared keys by the cluster's
 * locale; version 2 keeps the `commissioned` row as the index entry and compares bytewise; version 3 carries the
 * event in that key (index-only lookups). The database here is written by
 * a real receiver, put back into version 1's layout (the role-1 rows re-added, locale collation, version 1), and
 * reopened: the migration must leave every answer as it was and drop only the doubled rows.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationContext, stationFacts, stationProfile } from '../../bench/support/hq-station.ts';
import { freezeEvent } from '../../sync/epcis/freeze-event.ts';
import { mapFact } from '../../sync/epcis/map-fact.ts';
import { PgReceiverStorage } from '../../sync/receiver/pg-storage.ts';
import { ROLE } from '../../sync/receiver/prepare-event.ts';
import { startPgCluster, type PgCluster } from '../support/postgres.ts';

let cluster: PgCluster;
beforeAll(async () => { cluster = await startPgCluster(); }, 120_000);
afterAll(() => { cluster.stop(); });

const answers = async (storage: PgReceiverStorage, codes: readonly string[]): Promise<unknown[]> => {
  const bound = await storage.queryBound();
  const out: unknown[] = [];
  for (const epc of codes) {
    out.push((await storage.queryEvents({ matchEpc: [epc] }, { after: 0, upTo: bound }, 100)).bodies);
    out.push((await storage.queryEvents({ matchAnyEpc: [epc] }, { after: 0, upTo: bound }, 100)).bodies);
    out.push((await storage.queryEvents({ matchParentID: [epc] }, { after: 0, upTo: bound }, 100)).bodies);
    out.push(await storage.epcState(epc));
  }
  return out;
};

describe('PostgreSQL receiver schema migrations 2 and 3', () => {
  it('migrates a version-1 database without changing an answer, and drops only the doubled index rows', async () => {
    const p = stationProfile(0);
    const ctx = stationContext(p);
    const events = [...stationFacts(p, 400, 'station')].map((f) => JSON.parse(freezeEvent(mapFact(f, ctx)).body) as unknown);
    const storage = await PgReceiverStorage.open(cluster.url, { max: 2 });
    const first = await storage.ingest(events.slice(0, 200), { behaviour: 'proceed', captureID: 'm1' });
    const second = await storage.ingest(events.slice(200), { behaviour: 'proceed', captureID: 'm2' });
    expect([first.stored, second.stored, first.conflicts.length + second.conflicts.length]).toEqual([200, 200, 0]);
    const sample = events.flatMap((e) => {
      const x = e as { epcList?: string[]; parentID?: string; childEPCs?: string[] };
      return [x.epcList?.[0], x.parentID, x.childEPCs?.[0]];
    }).filter((c): c is string => c !== undefined).filter((_, i) => i % 7 === 0);
    expect(sample.length).toBeGreaterThan(40);
    const before = await answers(storage, sample);
    await storage.close();

    const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
    const rowCounts = async (): Promise<{ codes: number; role1: number; commissioned: number; parents: number }> => {
      const [r] = await sql<{ codes: string; role1: string; commissioned: string; parents: string }[]>`SELECT
        (SELECT count(*) FROM codes) AS codes, (SELECT count(*) FROM codes WHERE role = ${ROLE.commissioned}) AS role1,
        (SELECT count(*) FROM commissioned) AS commissioned, (SELECT count(*) FROM parent_of) AS parents`;
      return { codes: Number(r?.codes), role1: Number(r?.role1), commissioned: Number(r?.commissioned), parents: Number(r?.parents) };
    };
    const migrated = await rowCounts();
    await sql.unsafe(`INSERT INTO codes (epc, role, event) SELECT epc, ${ROLE.commissioned}, event FROM commissioned;
      ALTER TABLE events ALTER COLUMN event_id TYPE text COLLATE "default";
      ALTER TABLE codes ALTER COLUMN epc TYPE text COLLATE "default";
      ALTER TABLE commissioned ALTER COLUMN epc TYPE text COLLATE "default";
      ALTER TABLE commissioned DROP CONSTRAINT commissioned_pkey, ADD CONSTRAINT commissioned_pkey PRIMARY KEY (epc);
      ALTER TABLE parent_of ALTER COLUMN child TYPE text COLLATE "default", ALTER COLUMN parent TYPE text COLLATE "default";
      UPDATE wuma_receiver_schema SET version = 1;`);
    const v1 = await rowCounts();
    expect(v1.codes).toBe(migrated.codes + migrated.commissioned);

    const reopened = await PgReceiverStorage.open(cluster.url, { max: 2 });
    try {
      expect(await rowCounts()).toEqual(migrated);
      const [version] = await sql<{ version: number }[]>`SELECT version FROM wuma_receiver_schema`;
      expect(version?.version).toBe(3);
      const [pk] = await sql<{ def: string }[]>`SELECT pg_get_indexdef('commissioned_pkey'::regclass) AS def`;
      expect(pk?.def).toMatch(/\(epc\) INCLUDE \(event\)$/);
      const collations = await sql<{ c: string }[]>`SELECT DISTINCT coalesce(collation_name, '') AS c FROM information_schema.columns
        WHERE (table_name, column_name) IN (('events', 'event_id'), ('codes', 'epc'), ('commissioned', 'epc'), ('parent_of', 'child'), ('parent_of', 'parent'))`;
      expect(collations.map((r) => r.c)).toEqual(['C']);
      expect(await answers(reopened, sample)).toEqual(before);
      // A resend after the migration is still a duplicate, not a new event.
      const again = await reopened.ingest(events.slice(0, 50), { behaviour: 'proceed', captureID: 'm3' });
      expect([again.stored, again.duplicates, again.conflicts.length]).toEqual([0, 50, 0]);
    } finally {
      await reopened.close();
      await sql.end();
    }
  }, 120_000);
});
