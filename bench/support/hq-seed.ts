/**
 * The history of the HQ bench (bench/hq.ts): millions of events already stored before the stations send, written
 * straight into the receiver adapters' own tables — not through HTTP, which would take longer than the run.
 *
 * Faithful to what the receivers write for the same event: the row of `events` (PostgreSQL: with its facets;
 * SQLite: `events` + `event_keys` + `facets` + one `receipts` row), the `codes` index row (role 1, commissioned;
 * SQLite only: on PostgreSQL a won commissioning's `commissioned` row is its index entry), the `commissioned` row
 * and the site's `sites` row. Every seeded event is a cap-outer commissioning ObjectEvent
 * (one code) of a "history" station (factory 9): the body is a real frozen event (`freezeEvent(mapFact(…))`)
 * with its code, eventTime and eventID replaced. The eventIDs keep the hash form (`ni:///sha-256;<64 hex>?ver=
 * CBV2.0`) but are not the GS1 hash of the replaced body (no receiver re-hashes a stored event).
 *
 * PostgreSQL: `INSERT … SELECT generate_series` in chunks on two connections, with the unique keys of `events`
 * and `commissioned` dropped during the load and re-created after it (the same constraints, built by a
 * sort). SQLite: prepared multi-row INSERTs in big transactions, `synchronous=OFF` for this load only (the
 * receiver reopens the file with FULL).
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { freezeEvent } from '../../sync/epcis/freeze-event.ts';
import { mapFact } from '../../sync/epcis/map-fact.ts';
import { eventFacts, hashKey, ROLE } from '../../sync/receiver/prepare-event.ts';
import { identifierOf, stationContext, type StationProfile } from './hq-station.ts';

/** The history station: factory 9, line 1, station 1. */
export const HISTORY: StationProfile = {
  index: -1, site: 9, line: 1, station: 1,
  readPoint: 'urn:epc:id:sgln:6901234.00009.L1-S1', bizLocation: 'urn:epc:id:sgln:6901234.00009.0', prefix: 'H',
};
/** History events are one second apart, ending before the stations' first event. */
const H0 = Date.parse('2026-06-01T00:00:00Z');
const CODE_PLACEHOLDER = 'HZZZZZZZZZ';
/** The n-th history code (10 characters like the placeholder). */
export const historyCode = (n: number): string => `H${String(n).padStart(9, '0')}`;
export const historyIdentifier = (n: number): string => identifierOf('cap-outer', historyCode(n));

interface Template {
  readonly body: string;
  readonly eventID: string;
  readonly isoTime: string;
  readonly facts: ReturnType<typeof eventFacts>;
}

function template(): Template {
  const frozen = freezeEvent(mapFact({ type: 'commissioning', time: H0, kind: 'cap-outer', codes: [CODE_PLACEHOLDER], lot: 'L2606' }, stationContext(HISTORY)));
  const event = JSON.parse(frozen.body) as Record<string, unknown>;
  const isoTime = event['eventTime'] as string;
  if (!frozen.body.includes(CODE_PLACEHOLDER) || frozen.body.split(isoTime).length !== 2) throw new Error('history template: placeholder not unique');
  return { body: frozen.body, eventID: frozen.eventID, isoTime, facts: eventFacts(event) };
}

/** eventTime as the mapping writes it for +08:00 (`2026-06-01T08:00:00.000+08:00`). */
function isoAt(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 23)}+08:00`;
}

function syntheticId(n: number): string {
  return `ni:///sha-256;${createHash('sha256').update(`wuma-hq-seed-${n}`).digest('hex')}?ver=CBV2.0`;
}

/** Seeds `count` history events into a migrated, empty PostgreSQL receiver database. Returns seconds taken. */
export async function seedPostgres(url: string, count: number, log: (line: string) => void): Promise<number> {
  if (count <= 0) return 0;
  const t = template();
  const start = performance.now();
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  try {
    const f = t.facts;
    await sql.unsafe('ALTER TABLE events DROP CONSTRAINT events_event_id_key; ALTER TABLE commissioned DROP CONSTRAINT commissioned_pkey');
    const CHUNK = 500_000;
    const chunks: [number, number][] = [];
    for (let from = 0; from < count; from += CHUNK) chunks.push([from, Math.min(count, from + CHUNK) - 1]);
    let done = 0;
    const worker = async (): Promise<void> => {
      for (let c = chunks.shift(); c !== undefined; c = chunks.shift()) {
        // eventID: 'ni:///sha-256;' + two md5s (64 hex) + '?ver=CBV2.0'; eventTime: H0 + n s, written as +08:00.
        await sql.unsafe(`INSERT INTO events (event_id, body, capture_id, record_time, event_time, type, action, biz_step, disposition, biz_location, read_point)
          SELECT s.eid, replace(replace(replace($1::text, $2::text, 'H' || lpad(s.n::text, 9, '0')), $3::text, s.iso), $4::text, s.eid),
                 'seed', $5::int8, s.t, $6, $7, $8, $9, $10, $11
          FROM (SELECT n, 'ni:///sha-256;' || md5('a' || n) || md5('b' || n) || '?ver=CBV2.0' AS eid, $12::int8 + n * 1000 AS t,
                  to_char(to_timestamp(($12::int8 + n * 1000) / 1000.0) AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD"T"HH24:MI:SS.MS') || '+08:00' AS iso
                FROM generate_series($13::int8, $14::int8) AS n) s`,
        [t.body, CODE_PLACEHOLDER, t.isoTime, t.eventID, Date.now(), f.type, f.action, f.bizStep, f.disposition, f.bizLocation, f.readPoint, H0, c[0], c[1]] as never[]);
        done += c[1] - c[0] + 1;
        log(`  PostgreSQL history: ${done}/${count} events`);
      }
    };
    await Promise.all([worker(), worker()]);
    const prefix = identifierOf('cap-outer', '');
    await sql.unsafe(`INSERT INTO commissioned (epc, event, site) SELECT $1 || 'H' || lpad(((event_time - $2::int8) / 1000)::text, 9, '0'), id, $3 FROM events WHERE capture_id = 'seed'`, [prefix, H0, f.site] as never[]);
    log('  PostgreSQL history: building the unique keys');
    await Promise.all([
      sql.unsafe('ALTER TABLE events ADD CONSTRAINT events_event_id_key UNIQUE (event_id)'),
      sql.unsafe('ALTER TABLE commissioned ADD CONSTRAINT commissioned_pkey PRIMARY KEY (epc) INCLUDE (event)'),
    ]);
    await sql`INSERT INTO sites (site, events, last_capture, last_event_time) VALUES (${f.site}, ${count}, ${Date.now() - 3_600_000}, ${H0 + (count - 1) * 1000})`;
    await sql.unsafe('VACUUM (ANALYZE) events, codes, commissioned');
  } finally {
    await sql.end({ timeout: 5 });
  }
  return (performance.now() - start) / 1000;
}

/** Seeds `count` history events into a SQLite receiver file the receiver created (schema 3) and closed. */
export function seedSqlite(path: string, count: number, log: (line: string) => void): number {
  if (count <= 0) return 0;
  const t = template();
  const f = t.facts;
  const start = performance.now();
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    const [codeBefore, codeAfter] = t.body.split(CODE_PLACEHOLDER) as [string, string];
    const [timeBefore, timeAfter] = [codeBefore.indexOf(t.isoTime) >= 0, codeAfter.indexOf(t.isoTime) >= 0];
    if (!timeAfter && !timeBefore) throw new Error('history template: no eventTime');
    const receipt = Number(db.prepare('INSERT INTO receipts (capture_id, received_at) VALUES (?, ?)').run('seed', Date.now()).lastInsertRowid);
    const firstId = Number(db.prepare('SELECT coalesce(max(id), 0) FROM events').pluck().get()) + 1;
    const ROWS = 200;
    const multi = (table: string, cols: number): Database.Statement => db.prepare(`INSERT INTO ${table} VALUES ${Array.from({ length: ROWS }, () => `(${Array(cols).fill('?').join(', ')})`).join(', ')}`);
    const s = {
      events: multi('events (id, receipt, body)', 3),
      keys: multi('event_keys (t, key, event)', 3),
      codes: multi('codes (epc, role, event)', 3),
      facets: multi('facets (event, event_time, type, action, biz_step, disposition, biz_location, read_point)', 8),
      commissioned: multi('commissioned (epc, event, site)', 3),
    };
    const prefix = identifierOf('cap-outer', '');
    const body = (n: number, eid: string, iso: string): string => t.body.replace(CODE_PLACEHOLDER, historyCode(n)).replace(t.isoTime, iso).replace(t.eventID, eid);
    const TX = 500_000;
    for (let from = 0; from < count; from += TX) {
      db.transaction(() => {
        const end = Math.min(count, from + TX);
        for (let a = from; a < end; a += ROWS) {
          const n = Math.min(ROWS, end - a);
          const ev: unknown[] = []; const keys: unknown[] = []; const codes: unknown[] = []; const facets: unknown[] = []; const comm: unknown[] = [];
          for (let i = a; i < a + n; i += 1) {
            const id = firstId + i;
            const ms = H0 + i * 1000;
            const eid = syntheticId(i);
            ev.push(id, receipt, body(i, eid, isoAt(ms)));
            keys.push(ms, hashKey(eid), id);
            codes.push(prefix + historyCode(i), ROLE.commissioned, id);
            facets.push(id, ms, f.type, f.action, f.bizStep, f.disposition, f.bizLocation, f.readPoint);
            comm.push(prefix + historyCode(i), id, f.site);
          }
          if (n === ROWS) {
            s.events.run(ev); s.keys.run(keys); s.codes.run(codes); s.facets.run(facets); s.commissioned.run(comm);
          } else {
            const one = (table: string, cols: number, values: unknown[]): void => {
              const st = db.prepare(`INSERT INTO ${table} VALUES (${Array(cols).fill('?').join(', ')})`);
              for (let j = 0; j < values.length; j += cols) st.run(values.slice(j, j + cols));
            };
            one('events (id, receipt, body)', 3, ev); one('event_keys (t, key, event)', 3, keys); one('codes (epc, role, event)', 3, codes);
            one('facets (event, event_time, type, action, biz_step, disposition, biz_location, read_point)', 8, facets); one('commissioned (epc, event, site)', 3, comm);
          }
        }
      })();
      log(`  SQLite history: ${Math.min(count, from + TX)}/${count} events`);
    }
    db.prepare('INSERT INTO sites (site, events, last_capture, last_event_time) VALUES (?, ?, ?, ?)').run(f.site, count, Date.now() - 3_600_000, H0 + (count - 1) * 1000);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
  return (performance.now() - start) / 1000;
}
