import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { openStore, type Store } from './open.ts';
import { appendOutbox, idRuns, outboxBodiesOfBatch, palletConfirmations, SqliteOutbox, syncStatus } from './outbox.ts';

let dir: TempDir;
let store: Store;
beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const frozen = (n: number) => ({ eventID: `ni:///sha-256;${n.toString(16).padStart(64, '0')}?ver=CBV2.0`, eventType: 'ObjectEvent', body: `{"type":"ObjectEvent","n":${n},"lot":"批号"}` });

function fill(count: number, pallet = (n: number) => `P${Math.floor(n / 3)}`): void {
  store.db.transaction(() => {
    for (let n = 0; n < count; n += 1) appendOutbox(store.db, frozen(n), { batchId: n < 6 ? 1 : 2, pallet: pallet(n), at: `2026-01-01T00:00:0${n % 10}.000Z` });
  })();
}

describe('appendOutbox', () => {
  it('refuses to run outside a transaction: the event must commit with its state change', () => {
    expect(() => appendOutbox(store.db, frozen(1))).toThrow(/inside the transaction/);
  });

  it('rolls back with the caller’s transaction', () => {
    expect(() => store.db.transaction(() => { appendOutbox(store.db, frozen(1)); throw new Error('decision failed'); })()).toThrow('decision failed');
    expect(new SqliteOutbox(store.db).counts()).toEqual({ pending: 0, confirmed: 0, quarantined: 0 });
  });

  it('refuses a duplicate eventID with CONFLICT and keeps the first', () => {
    fill(1);
    expect(() => store.db.transaction(() => appendOutbox(store.db, { ...frozen(0), body: '{"other":1}' }))()).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(new SqliteOutbox(store.db).peek(0, 10)[0]?.body).toBe(frozen(0).body);
  });

  it('refuses empty fields', () => {
    expect(() => store.db.transaction(() => appendOutbox(store.db, { ...frozen(0), body: '' }))()).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('SqliteOutbox', () => {
  it('with checkpointAfterConfirm, checkpoints the WAL after each confirmation (a sending-only process has no checkpoint worker)', () => {
    // The rows sit in the WAL until a checkpoint copies their pages into the main file, which then grows.
    const mainBytes = (): number => statSync(dir.file('wuma.db')).size;
    fill(200);
    const before = mainBytes();
    new SqliteOutbox(store.db).markConfirmed([1, 2, 3], '2026-01-01T00:00:00.000Z');
    expect(mainBytes()).toBe(before);
    const checkpointing = new SqliteOutbox(store.db, { checkpointAfterConfirm: true });
    checkpointing.markConfirmed([4, 5, 6], '2026-01-01T00:00:01.000Z');
    expect(mainBytes()).toBeGreaterThan(before);
    expect(checkpointing.counts()).toEqual({ pending: 194, confirmed: 6, quarantined: 0 });
  });

  it('peeks pending rows in id order after a cursor, byte-identical bodies', () => {
    fill(10);
    const o = new SqliteOutbox(store.db);
    const first = o.peek(0, 4);
    expect(first.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(first[0]).toEqual({ id: 1, eventId: frozen(0).eventID, eventType: 'ObjectEvent', body: frozen(0).body, createdAt: '2026-01-01T00:00:00.000Z', attempts: 0, batchId: 1, pallet: 'P0' });
    expect(o.peek(4, 100).map((e) => e.id)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('confirmed and quarantined rows leave the queue; attempts count; nothing goes back to pending', () => {
    fill(6);
    const o = new SqliteOutbox(store.db);
    o.recordAttempt([1, 2], 'ECONNRESET');
    o.recordAttempt([1], 'timeout');
    o.markConfirmed([1, 2], '2026-01-02T00:00:00.000Z');
    o.quarantine(3, 'ValidationException: bad epc', '2026-01-02T00:00:01.000Z');
    o.markConfirmed([3], '2026-01-02T00:00:02.000Z'); // already quarantined: stays quarantined
    o.quarantine(1, 'late', '2026-01-02T00:00:03.000Z'); // already confirmed: stays confirmed
    expect(o.peek(0, 10).map((e) => e.id)).toEqual([4, 5, 6]);
    expect(o.counts()).toEqual({ pending: 3, confirmed: 2, quarantined: 1 });
    const row = store.db.prepare('SELECT attempts, state FROM outbox WHERE id = 1').get();
    expect(row).toEqual({ attempts: 2, state: 'confirmed' });
    const status = syncStatus(store.db);
    expect(status.lastSuccessAt).toBe('2026-01-02T00:00:00.000Z');
    expect(status.quarantined).toEqual([expect.objectContaining({ id: 3, reason: 'ValidationException: bad epc', batchId: 1, pallet: 'P0' })]);
    expect(status.oldestPendingAt).toBe('2026-01-01T00:00:03.000Z');
  });

  it('bodies stay frozen and only confirmed rows may be deleted (schema triggers)', () => {
    fill(2);
    new SqliteOutbox(store.db).markConfirmed([1], '2026-01-02T00:00:00.000Z');
    expect(() => store.db.prepare("UPDATE outbox SET body = 'x' WHERE id = 1").run()).toThrow(/frozen/);
    expect(() => store.db.prepare('DELETE FROM outbox WHERE id = 2').run()).toThrow(/only confirmed/);
  });

  it('confirms and counts attempts of exactly the given ids, never a pending row inside their range', () => {
    fill(10);
    const o = new SqliteOutbox(store.db);
    o.recordAttempt([2, 3, 4, 7, 8], 'ECONNRESET');
    o.markConfirmed([2, 3, 4, 7, 8], '2026-01-02T00:00:00.000Z');
    expect(o.peek(0, 10).map((e) => e.id)).toEqual([1, 5, 6, 9, 10]);
    const rows = store.db.prepare('SELECT id, attempts FROM outbox WHERE attempts > 0 ORDER BY id').raw().all();
    expect(rows).toEqual([[2, 1], [3, 1], [4, 1], [7, 1], [8, 1]]);
    o.markConfirmed([9, 6, 5, 5], '2026-01-02T00:00:01.000Z'); // any order, duplicates
    expect(o.peek(0, 10).map((e) => e.id)).toEqual([1, 10]);
    expect(o.counts()).toEqual({ pending: 2, confirmed: 8, quarantined: 0 });
  });

  it('idRuns: consecutive ids become one [first, last] run, covering exactly the ids given', () => {
    expect(idRuns([])).toEqual([]);
    expect(idRuns([5])).toEqual([[5, 5]]);
    expect(idRuns([1, 2, 3, 5, 6, 9])).toEqual([[1, 3], [5, 6], [9, 9]]);
    expect(idRuns([9, 3, 1, 2, 2, 6, 5])).toEqual([[1, 3], [5, 6], [9, 9]]);
  });

  it('notes the sender state for another process to read', () => {
    expect(syncStatus(store.db).sender).toBeNull();
    new SqliteOutbox(store.db).noteState('unauthorized', '2026-01-02T00:00:00.000Z', 'HTTP 401');
    expect(syncStatus(store.db).sender).toEqual({ state: 'unauthorized', at: '2026-01-02T00:00:00.000Z', detail: 'HTTP 401' });
  });
});

describe('per-pallet confirmation by headquarters', () => {
  it('counts each pallet’s events by state and says when all are confirmed', () => {
    fill(9);
    const o = new SqliteOutbox(store.db);
    o.markConfirmed([1, 2, 3, 4, 5], '2026-01-02T00:00:00.000Z');
    o.quarantine(6, 'bad', '2026-01-02T00:00:00.000Z');
    const byPallet = Object.fromEntries(palletConfirmations(store.db).map((p) => [p.pallet, p]));
    expect(byPallet['P0']).toEqual({ pallet: 'P0', events: 3, confirmed: 3, pending: 0, quarantined: 0, confirmedByHeadquarters: true });
    expect(byPallet['P1']).toEqual({ pallet: 'P1', events: 3, confirmed: 2, pending: 0, quarantined: 1, confirmedByHeadquarters: false });
    expect(byPallet['P2']?.pending).toBe(3);
    expect(palletConfirmations(store.db, { pallet: 'P1' })).toHaveLength(1);
  });
});

describe('outboxBodiesOfBatch', () => {
  it('returns one batch’s frozen bodies in write order, whatever their state', () => {
    fill(9);
    new SqliteOutbox(store.db).markConfirmed([2], '2026-01-02T00:00:00.000Z');
    const b = outboxBodiesOfBatch(store.db, 1);
    expect(b.bodies).toEqual([0, 1, 2, 3, 4, 5].map((n) => frozen(n).body));
    expect(b.newestAt).toBe('2026-01-01T00:00:05.000Z');
    expect(outboxBodiesOfBatch(store.db, 99)).toEqual({ bodies: [], newestAt: null });
  });
});
