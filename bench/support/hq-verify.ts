/**
 * The HQ bench's end check (bench/hq.ts): every event of every station outbox is stored at headquarters exactly
 * once and byte-identical, found by its eventID — not only counted.
 *
 * - PostgreSQL: for each page of outbox rows, `SELECT event_id, md5(body) … WHERE event_id = ANY(…)`; each row
 *   must come back once with the md5 of the outbox body.
 * - SQLite (after the receiver closed the file): the receiver's own idempotency key, `event_keys (t, key)` with
 *   t = the canonical eventTime and key = the hash form's bytes (receiver-store.ts), joined to the stored body.
 * Then the total: stored = seeded history + all outbox rows, so nothing else was stored (no duplicate under
 * another key, nothing invented), and `SELECT … GROUP BY event_id HAVING count(*) > 1` finds no duplicate eventID.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { canonicalEpochMs } from '../../sync/epcis/event-hash.ts';
import { hashKey } from '../../sync/receiver/prepare-event.ts';

export interface Verdict {
  /** Outbox rows (all stations). */
  readonly sent: number;
  /** Outbox rows the station marked confirmed. */
  readonly confirmedAtStations: number;
  /** Outbox rows found at headquarters by eventID with the same body. */
  readonly found: number;
  readonly missing: number;
  /** Found by eventID, but with another body. */
  readonly differentBody: number;
  /** Rows stored at headquarters. */
  readonly stored: number;
  /** stored − (seeded + sent): rows that belong to no station and no history (duplicates or inventions). */
  readonly extraRows: number;
  /** eventIDs stored more than once. */
  readonly duplicateEventIDs: number;
  readonly ok: boolean;
}

const PAGE = 20_000;

function* outboxPages(stationDb: string): Generator<{ ids: string[]; bodies: string[]; confirmed: number }> {
  const db = new Database(stationDb, { readonly: true });
  try {
    const page = db.prepare("SELECT id, event_id AS eventID, body, state = 'confirmed' AS confirmed FROM outbox WHERE id > ? ORDER BY id LIMIT ?");
    for (let after = 0; ;) {
      const rows = page.all(after, PAGE) as { id: number; eventID: string; body: string; confirmed: number }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]?.id ?? after;
      yield { ids: rows.map((r) => r.eventID), bodies: rows.map((r) => r.body), confirmed: rows.filter((r) => r.confirmed === 1).length };
    }
  } finally {
    db.close();
  }
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

function verdict(v: Omit<Verdict, 'ok' | 'extraRows'>, seeded: number): Verdict {
  const extraRows = v.stored - seeded - v.sent;
  return { ...v, extraRows, ok: v.missing === 0 && v.differentBody === 0 && extraRows === 0 && v.duplicateEventIDs === 0 && v.confirmedAtStations === v.sent };
}

export async function verifyPostgres(url: string, stationDbs: readonly string[], seeded: number): Promise<Verdict> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    let sent = 0; let found = 0; let differentBody = 0; let confirmedAtStations = 0;
    for (const file of stationDbs) {
      for (const page of outboxPages(file)) {
        sent += page.ids.length;
        confirmedAtStations += page.confirmed;
        const rows = await sql.unsafe<{ event_id: string; h: string }[]>('SELECT event_id, md5(body) AS h FROM events WHERE event_id = ANY($1::text[])', [page.ids] as never[]);
        const stored = new Map(rows.map((r) => [r.event_id, r.h]));
        for (let i = 0; i < page.ids.length; i += 1) {
          const h = stored.get(page.ids[i] ?? '');
          if (h === undefined) continue;
          if (h === md5(page.bodies[i] ?? '')) found += 1; else differentBody += 1;
        }
      }
    }
    const stored = Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM events`)[0]?.n ?? 0);
    const duplicateEventIDs = Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1) d`)[0]?.n ?? 0);
    return verdict({ sent, confirmedAtStations, found, missing: sent - found - differentBody, differentBody, stored, duplicateEventIDs }, seeded);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export function verifySqlite(hqDb: string, stationDbs: readonly string[], seeded: number): Verdict {
  const db = new Database(hqDb, { readonly: true });
  try {
    const byKey = db.prepare('SELECT e.body FROM event_keys k JOIN events e ON e.id = k.event WHERE k.t = ? AND k.key = ?').pluck();
    let sent = 0; let found = 0; let differentBody = 0; let confirmedAtStations = 0;
    for (const file of stationDbs) {
      for (const page of outboxPages(file)) {
        sent += page.ids.length;
        confirmedAtStations += page.confirmed;
        for (let i = 0; i < page.ids.length; i += 1) {
          const body = page.bodies[i] ?? '';
          const t = canonicalEpochMs((JSON.parse(body) as Record<string, unknown>)['eventTime'], 'eventTime');
          const stored = byKey.get(t, hashKey(page.ids[i] ?? '')) as string | undefined;
          if (stored === undefined) continue;
          if (stored === body) found += 1; else differentBody += 1;
        }
      }
    }
    const stored = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    // One key row per stored event, and the key is unique: a second copy of an event would be a second key.
    const keys = db.prepare('SELECT count(*) FROM event_keys').pluck().get() as number;
    return verdict({ sent, confirmedAtStations, found, missing: sent - found - differentBody, differentBody, stored, duplicateEventIDs: Math.max(0, stored - keys) }, seeded);
  } finally {
    db.close();
  }
}
