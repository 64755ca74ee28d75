import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from './batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { checkCase, type CaseRead } from '../../edge/aggregation/check-case.ts';
import type { RejectReason } from '../../edge/aggregation/reject-reason.ts';
import {
  allocatePalletCode, caseRulesOf, codeLookup, commitCase, commitPallet, openStore, reconcileBatch, recordReject, startBatch, verifyStore,
  type Store,
} from '../../edge/store/index.ts';
import { addUser } from '../../edge/store/users.ts';
import {
  reworkAdd, reworkBreakPallet, reworkDestroy, reworkRemove, reworkRepack, reworkSample, type ReworkEnv, type Signature,
} from '../../edge/store/rework/index.ts';

/**
 * Property test of the station's store path (issue 4 "Must show"): random sequences of case reads (good, missing,
 * duplicate, foreign, no-read, damaged label, excess), store-level faults (a commit that bypasses the check and
 * must be refused whole), QA rework actions (remove / add / repack / destroy / sample / break pallet, signed) and
 * restarts (close and reopen the database) keep the invariants after EVERY step:
 * - `verifyStore` ok: integrity, each child has exactly one existing parent, aggregated ⇒ commissioned, container
 *   child counts, pair symmetry, audit hash chain, outbox consistency;
 * - the batch reconciliation is balanced at every level (received = sum of the terms);
 * - the station's own counts reconcile with the database: case containers = accepted + repacked − destroyed
 *   cases, reject rows = rejected decisions, every decision's reason is the one the fault asked for;
 * - a refused action (rework or a bad commit) leaves the database byte-for-byte as it was (same row snapshot).
 * Bounded: 40 runs × up to 40 steps on a 4-bottle / 3-case line.
 */

const UNITS = 4;
const PER_PALLET = 3;
const PIN = '246810';
const T0 = Date.UTC(2026, 5, 1, 8, 0, 0);

const READS = ['good', 'missing', 'duplicate', 'foreign', 'noread', 'label', 'excess'] as const;
type ReadKind = (typeof READS)[number];
const EXPECTED_REASON: Readonly<Record<ReadKind, RejectReason | null>> = {
  good: null, missing: 'missing', duplicate: 'duplicate', foreign: 'foreign', noread: 'no-read', label: 'case-code', excess: 'excess',
};
const REWORKS = ['remove', 'add', 'repack', 'destroy', 'sample', 'break'] as const;
type ReworkKind = (typeof REWORKS)[number];

type Step =
  | { readonly t: 'read'; readonly kind: ReadKind }
  | { readonly t: 'pallet'; readonly short: boolean }
  | { readonly t: 'rework'; readonly op: ReworkKind; readonly pick: number }
  | { readonly t: 'bad-commit'; readonly pick: number }
  | { readonly t: 'restart' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...READS).map((kind): Step => ({ t: 'read', kind })) },
  { weight: 2, arbitrary: fc.boolean().map((short): Step => ({ t: 'pallet', short })) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom(...REWORKS), pick: fc.nat(1000) }).map((r): Step => ({ t: 'rework', ...r })) },
  { weight: 1, arbitrary: fc.nat(1000).map((pick): Step => ({ t: 'bad-commit', pick })) },
  { weight: 1, arbitrary: fc.constant<Step>({ t: 'restart' }) },
);

let dir: TempDir;
beforeEach(() => { dir = makeTempDir('wuma-prop-'); });
afterEach(() => { dir.remove(); });

/** Everything a refused action must leave untouched. */
function snapshot(store: Store): string {
  const db = store.db;
  return JSON.stringify([
    db.prepare('SELECT code, status, parent, pair, batch_id FROM codes ORDER BY code').raw().all(),
    db.prepare('SELECT * FROM containers ORDER BY code').raw().all(),
    db.prepare('SELECT count(*), max(seq) FROM audit_log').raw().get(),
    db.prepare('SELECT count(*), max(id) FROM outbox').raw().get(),
    db.prepare('SELECT count(*) FROM rejects').raw().get(),
  ]);
}

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

/** How many of each action went through (not refused), to show the sequences reach every path. */
type Tally = Record<string, number>;

async function runSequence(steps: readonly Step[], tally: Tally = {}): Promise<Tally> {
  const path = dir.file(`line-${randomBytes(4).toString('hex')}.db`);
  let store = openStore(path, { checkpointer: false });
  const m: LineMaterial = seedLine(store.db, { unitsPerCase: UNITS, casesPerPallet: PER_PALLET, cases: 30, spareCaps: 8 });
  const batchId = startBatch(store.db, { productId: m.productId, lot: 'P2026', productionDate: '2026-06-01', line: 'P1', packages: packageUuids(m), actor: 'op' }).id;
  addUser(store.db, { id: 'qa1', name: '质检一', role: 'qa', pin: PIN, badge: 'BADGE-QA1' }, 'admin');
  let now = T0;
  const env: ReworkEnv = { epcis: TEST_EPCIS, clock: () => new Date((now += 1000)) };
  const sig = (reason: string): Signature => ({ userId: 'qa1', pin: PIN, reason });
  let nextCap = 0;
  let nextCase = 0;
  const model = { accepted: 0, repacked: 0, rejects: 0 };
  const done = (what: string): void => { tally[what] = (tally[what] ?? 0) + 1; };
  const q = <T>(sql: string, ...params: unknown[]): T[] => store.db.prepare(sql).raw().all(...params).map((r) => (r as unknown[])[0] as T);

  const check = (label: string): void => {
    const report = verifyStore(store.db);
    expect(report.checks.filter((c) => !c.ok), label).toEqual([]);
    const rec = reconcileBatch(store.db, batchId);
    expect(rec.levels.filter((l) => !l.balanced).map((l) => l.level), label).toEqual([]);
    expect(rec.totals.balanced, label).toBe(true);
    const cases = q<number>(`SELECT count(*) FROM containers WHERE level = 'case'`)[0];
    expect(cases, `${label}: case containers`).toBe(model.accepted + model.repacked);
    expect(q<number>('SELECT count(*) FROM rejects')[0], `${label}: reject rows`).toBe(model.rejects);
    // Each code in at most one parent, and every parent holds exactly its ratio or what rework left in it.
    expect(q<number>('SELECT count(*) FROM codes WHERE parent IS NOT NULL AND parent = code')[0], label).toBe(0);
  };

  /** Runs an action that may be refused; a refusal must leave no trace. */
  const attempt = (label: string, fn: () => void): boolean => {
    const before = snapshot(store);
    try {
      fn();
      done(label.replace(/^step \d+ /, '').replace(/,"pick":\d+/, ''));
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      expect(['CONFLICT', 'INVALID_INPUT', 'NOT_FOUND', 'INVALID_STATE'], `${label}: ${String(error)}`).toContain(code);
      expect(snapshot(store), `${label}: refused but changed the database`).toBe(before);
      done('refused');
      return false;
    }
  };

  try {
    check('seeded');
    for (const [i, step] of steps.entries()) {
      const label = `step ${i} ${JSON.stringify(step)}`;
      const db = store.db;
      switch (step.t) {
        case 'read': {
          const caps = m.caps.slice(nextCap, nextCap + UNITS + 1).map((c) => c.outer);
          const caseCode = m.cases[nextCase]?.outer;
          if (caps.length < UNITS + 1 || caseCode === undefined) break;
          let children = caps.slice(0, UNITS);
          let read: CaseRead = { childCodes: children, caseCode, noRead: false };
          const used = q<string>('SELECT code FROM codes WHERE parent IS NOT NULL AND kind = 2 ORDER BY code');
          switch (step.kind) {
            case 'good': break;
            case 'missing': children = children.slice(1); read = { ...read, childCodes: children }; break;
            case 'duplicate': {
              const dup = pick(used, i) ?? children[0] ?? '';
              read = { ...read, childCodes: [...children.slice(1), dup] };
              if (!used.includes(dup)) read = { ...read, childCodes: [...children.slice(0, UNITS - 1), children[0] ?? ''] };
              break;
            }
            case 'foreign': read = { ...read, childCodes: [...children.slice(1), randomBytes(6).toString('hex').toUpperCase()] }; break;
            case 'noread': read = { childCodes: [], caseCode, noRead: true }; break;
            case 'label': read = { ...read, caseCode: null }; break;
            case 'excess': read = { ...read, childCodes: caps }; break;
          }
          nextCap += read.childCodes.length === 0 ? UNITS : UNITS + (step.kind === 'excess' ? 1 : 0);
          if (read.caseCode !== null) nextCase += 1;
          const decision = checkCase(read, caseRulesOf(db, batchId), codeLookup(db));
          const want = EXPECTED_REASON[step.kind];
          if (want === null) {
            expect(decision.kind, label).toBe('accept');
            if (decision.kind === 'accept') commitCase(db, { batchId, caseCode: decision.caseCode, children: decision.children, at: (now += 10), actor: 'station', epcis: TEST_EPCIS });
            model.accepted += 1;
            done('accept');
          } else {
            expect(decision.kind, label).toBe('reject');
            if (decision.kind === 'reject') {
              expect(decision.findings.map((f) => f.reason), label).toContain(want);
              recordReject(db, { batchId, station: 'case', findings: decision.findings, read, at: (now += 10) });
              model.rejects += 1;
              done(`reject:${want}`);
            }
          }
          break;
        }
        case 'pallet': {
          const loose = q<string>(`SELECT k.code FROM containers k JOIN codes c ON c.code = k.code
            WHERE k.level = 'case' AND k.state = 'closed' AND c.parent IS NULL AND c.status = 2 AND k.child_count = ? ORDER BY k.created_at, k.code`, UNITS);
          const take = loose.slice(0, PER_PALLET);
          if (take.length === 0 || (take.length < PER_PALLET && !step.short)) break;
          attempt(label, () => {
            db.transaction(() => {
              const code = allocatePalletCode(db, batchId, { actor: 'station' }).code;
              commitPallet(db, {
                batchId, palletCode: code, cases: take, at: (now += 10), actor: 'station', epcis: TEST_EPCIS,
                ...(take.length < PER_PALLET ? { short: { reason: '换班强制满垛 (end of shift)' } } : {}),
              });
            })();
          });
          break;
        }
        case 'rework': {
          const n = step.pick;
          switch (step.op) {
            case 'remove': {
              const code = pick(q<string>('SELECT code FROM codes WHERE parent IS NOT NULL AND kind IN (2, 4) ORDER BY code'), n);
              if (code !== undefined) attempt(label, () => { reworkRemove(db, env, sig('瓶子破损 (broken bottle)'), { code }); });
              break;
            }
            case 'add': {
              const container = pick(q<string>(`SELECT code FROM containers WHERE level = 'case' AND state = 'closed' AND child_count < ? ORDER BY code`, UNITS), n);
              const code = pick(q<string>('SELECT code FROM codes WHERE kind = 2 AND parent IS NULL AND status IN (2, 5) ORDER BY code'), n);
              if (container !== undefined && code !== undefined) attempt(label, () => { reworkAdd(db, env, sig('补瓶 (refill)'), { container, code }); });
              break;
            }
            case 'repack': {
              const items = q<string>('SELECT code FROM codes WHERE kind = 2 AND parent IS NULL AND status IN (2, 5) AND batch_id = ? ORDER BY code', batchId);
              const caseCode = pick(q<string>(`SELECT c.code FROM codes c WHERE c.kind = 4 AND c.status = 5 AND c.batch_id = ?
                AND NOT EXISTS (SELECT 1 FROM containers k WHERE k.code = c.code) ORDER BY c.code`, batchId), n);
              if (caseCode !== undefined && items.length >= UNITS) {
                const start = n % (items.length - UNITS + 1);
                if (attempt(label, () => { reworkRepack(db, env, sig('剔除品返工装箱 (rework)'), { caseCode, codes: items.slice(start, start + UNITS) }); })) model.repacked += 1;
              }
              break;
            }
            case 'destroy': {
              const code = pick(q<string>('SELECT code FROM codes WHERE kind = 2 AND status IN (2, 3, 5) ORDER BY code'), n);
              if (code !== undefined) attempt(label, () => { reworkDestroy(db, env, sig('瓶盖损坏销毁 (damaged cap)'), { codes: [code] }); });
              break;
            }
            case 'sample': {
              const code = pick(q<string>('SELECT code FROM codes WHERE kind = 2 AND status IN (2, 3, 5) ORDER BY code'), n);
              if (code !== undefined) attempt(label, () => { reworkSample(db, env, sig('质检抽样 (lab sample)'), { codes: [code] }); });
              break;
            }
            case 'break': {
              const pallet = pick(q<string>(`SELECT code FROM containers WHERE level = 'pallet' AND state = 'closed' ORDER BY code`), n);
              if (pallet !== undefined) attempt(label, () => { reworkBreakPallet(db, env, sig('拆垛重组 (re-stack)'), { pallet }); });
              break;
            }
          }
          break;
        }
        case 'bad-commit': {
          // A commit that bypasses checkCase with a consumed cap: the store's guards must refuse it whole.
          // Consumed: inside a case, or rejected / sampled / destroyed / voided. A bottle that rework took out of its case
          // is commissioned without a parent and may be packed again, so it is not "consumed".
          const used = pick(q<string>('SELECT code FROM codes WHERE kind = 2 AND (parent IS NOT NULL OR status IN (5, 6, 7, 8)) ORDER BY code'), step.pick);
          const caseCode = m.cases[nextCase]?.outer;
          const fresh = m.caps.slice(nextCap, nextCap + UNITS - 1).map((c) => c.outer);
          if (used === undefined || caseCode === undefined || fresh.length < UNITS - 1) break;
          const refused = !attempt(label, () => {
            commitCase(db, { batchId, caseCode, children: [...fresh, used], at: (now += 10), actor: 'station', epcis: TEST_EPCIS });
          });
          expect(refused, `${label}: a consumed cap was committed again`).toBe(true);
          break;
        }
        case 'restart': {
          await store.close();
          store = openStore(path, { checkpointer: false });
          done('restart');
          break;
        }
      }
      check(label);
    }
  } finally {
    await store.close();
  }
  return tally;
}

describe('station store property (fast-check)', () => {
  it('reads, faults, rework and restarts keep every invariant', async () => {
    const tally: Tally = {};
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), async (steps) => { await runSequence(steps, tally); }), {
      numRuns: 40,
      interruptAfterTimeLimit: 90_000,
    });
    console.log(`property steps that went through: ${JSON.stringify(tally)}`);
    expect(tally['accept'] ?? 0).toBeGreaterThan(0);
  });

  it('a long fixed sequence exercises every action at least once', async () => {
    const steps: Step[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (const kind of READS) steps.push({ t: 'read', kind }, { t: 'read', kind: 'good' });
      steps.push({ t: 'pallet', short: false }, { t: 'restart' });
      for (const op of REWORKS) steps.push({ t: 'rework', op, pick: round * 7 + 1 });
      steps.push({ t: 'bad-commit', pick: round }, { t: 'pallet', short: true });
    }
    const tally = await runSequence(steps);
    const reworked = Object.keys(tally).filter((k) => k.includes('"rework"')).map((k) => (JSON.parse(k) as { op: string }).op);
    expect(new Set(reworked)).toEqual(new Set(REWORKS));
    expect(Object.keys(tally).filter((k) => k.startsWith('reject:')).length).toBe(READS.length - 1);
    expect(tally['restart']).toBe(3);
  });
});
