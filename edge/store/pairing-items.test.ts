import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedPairingMaterial, type PairingMaterial } from '../../test/support/pairing-material.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { checkPair } from '../pairing/check-pair.ts';
import { openStore, type Store } from './open.ts';
import {
  closePairingRun, commitPairingItem, lastPairingItems, pairingCounts, startPairingRun, type PairingDecide, type PairingRun, type PairingSide,
} from './pairing-items.ts';
import { verifyStore } from './verify.ts';

let dir: TempDir;
let store: Store;
let m: PairingMaterial;
let run: PairingRun;
const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('supplier.db'), { checkpointer: false });
  m = seedPairingMaterial(store.db, { count: 10 });
  run = startPairingRun(store.db, { line: 'P1', innerPackage: m.innerPackage, outerPackage: m.outerPackage, actor: 'op1', at: T0 });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const decide = (): PairingDecide => (facts) => checkPair({ inner: sides.inner, outer: sides.outer }, facts, run);
let sides: { inner: PairingSide; outer: PairingSide } = { inner: { code: null, counter: null }, outer: { code: null, counter: null } };
function item(inner: string | null, outer: string | null, ci: number | null = 1, co: number | null = ci) {
  sides = { inner: { code: inner, counter: ci }, outer: { code: outer, counter: co } };
  return commitPairingItem(store.db, { runId: run.id, ...sides, at: T0 }, decide());
}
const code = (c: string) => store.db.prepare('SELECT status, pair FROM codes WHERE code = ?').get(c) as { status: number; pair: string | null };
const itemCount = () => store.db.prepare('SELECT count(*) FROM pairing_items').pluck().get() as number;

describe('commitPairingItem', () => {
  it('a clean item is one pair on both code rows (available → printed) and one item row', () => {
    const r = item(m.inner[0]!, m.outer[0]!);
    expect(r).toEqual({ seq: 1, verdict: { kind: 'pair' }, voided: 0, outboxId: null });
    expect(code(m.inner[0]!)).toEqual({ status: 1, pair: m.outer[0] });
    expect(code(m.outer[0]!)).toEqual({ status: 1, pair: m.inner[0] });
    expect(pairingCounts(store.db, run.id)).toMatchObject({ items: 1, paired: 1, waste: 0 });
  });

  it('every fault ends in its reason, one waste row per item, fresh codes voided', () => {
    item(m.inner[0]!, m.outer[0]!, 1);
    expect(item(null, m.outer[1]!, 2).verdict).toEqual({ kind: 'waste', reason: 'one-side' });
    expect(code(m.outer[1]!).status).toBe(8);
    // Double print: the same two codes again.
    const dup = item(m.inner[0]!, m.outer[0]!, 3);
    expect(dup).toMatchObject({ verdict: { kind: 'waste', reason: 'duplicate' }, voided: 0 });
    expect(code(m.inner[0]!)).toEqual({ status: 1, pair: m.outer[0] });
    expect(item(m.inner[2]!, 'NOTOURS00001', 4).verdict).toEqual({ kind: 'waste', reason: 'foreign' });
    expect(code(m.inner[2]!).status).toBe(8);
    expect(item(m.inner[3]!, m.outer[3]!, 5, 6).verdict).toEqual({ kind: 'waste', reason: 'slipped' });
    // A supplier file paired inner 4 with outer 9 (both rows, as importPairs leaves them).
    store.db.prepare('UPDATE codes SET pair = ? WHERE code = ?').run(m.outer[9], m.inner[4]);
    store.db.prepare('UPDATE codes SET pair = ? WHERE code = ?').run(m.inner[4], m.outer[9]);
    expect(item(m.inner[4]!, m.outer[4]!, 7).verdict).toEqual({ kind: 'waste', reason: 'already-paired' });
    expect(code(m.inner[4]!)).toEqual({ status: 0, pair: m.outer[9] });
    expect(pairingCounts(store.db, run.id)).toEqual({
      items: 6, paired: 1, waste: 5, byReason: { 'one-side': 1, duplicate: 1, foreign: 1, 'already-paired': 1, slipped: 1, 'print-failed': 0 },
    });
    expect(store.db.prepare('SELECT seq, outcome, reason FROM pairing_items ORDER BY seq').all().map((r) => (r as { reason: string | null }).reason))
      .toEqual([null, 'one-side', 'duplicate', 'foreign', 'slipped', 'already-paired']);
    const verified = verifyStore(store.db);
    expect(verified, JSON.stringify(verified)).toMatchObject({ ok: true });
  });

  it('last items mask the inner code', () => {
    item(m.inner[0]!, m.outer[0]!);
    const [view] = lastPairingItems(store.db, run.id, 5);
    expect(view?.outer).toBe(m.outer[0]);
    expect(view?.inner).not.toBe(m.inner[0]);
    expect(JSON.stringify(lastPairingItems(store.db, run.id, 5))).not.toContain(m.inner[0]);
  });

  it('a closed run records nothing more and changes no code', () => {
    closePairingRun(store.db, run.id, 'op1');
    expect(() => item(m.inner[5]!, m.outer[5]!)).toThrow(/已结束.*closed/);
    expect(itemCount()).toBe(0);
    expect(code(m.inner[5]!)).toEqual({ status: 0, pair: null });
  });

  it('a pair decision racing another writer rolls back whole', () => {
    const bad: PairingDecide = () => {
      store.db.prepare('UPDATE codes SET pair = ? WHERE code = ?').run('RACE', m.outer[6]);
      return { kind: 'pair' };
    };
    sides = { inner: { code: m.inner[6]!, counter: 1 }, outer: { code: m.outer[6]!, counter: 1 } };
    expect(() => commitPairingItem(store.db, { runId: run.id, ...sides, at: T0 }, bad)).toThrow(/CONFLICT|已被关联/);
    expect(itemCount()).toBe(0);
    expect(code(m.inner[6]!)).toEqual({ status: 0, pair: null });
    expect(code(m.outer[6]!).pair).toBeNull();
  });
});

describe('startPairingRun', () => {
  it('resumes the running run of the same packages, refuses another, and refuses packages of the wrong kinds', () => {
    expect(startPairingRun(store.db, { line: 'P1', innerPackage: m.innerPackage, outerPackage: m.outerPackage, actor: 'op1' }).id).toBe(run.id);
    const other = seedPairingMaterial(store.db, { count: 2 });
    expect(() => startPairingRun(store.db, { line: 'P1', innerPackage: other.innerPackage, outerPackage: other.outerPackage, actor: 'op1' })).toThrow(/已有进行中/);
    expect(() => startPairingRun(store.db, { line: 'P2', innerPackage: other.outerPackage, outerPackage: other.innerPackage, actor: 'op1' })).toThrow(/不是同级内外码/);
    expect(() => startPairingRun(store.db, { line: 'P2', innerPackage: '00000000-0000-4000-8000-000000000000', outerPackage: other.outerPackage, actor: 'op1' })).toThrow(/不存在/);
    expect(store.db.prepare('SELECT count(*) FROM pairing_runs').pluck().get()).toBe(1);
  });
});
