import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { runWuma } from '../support/run-cli.ts';
import { demoLogger } from '../../edge/demo/demo-logger.ts';
import { startDemoLine } from '../../edge/demo/run-demo-line.ts';
import { openStore } from '../../edge/store/open.ts';
import { reconcileBatch } from '../../edge/store/reconciliation.ts';

/**
 * Secrets scan (issue 4 "Must show", STYLE.md "Logging and secrets"): run the demo line for a few hundred cases
 * with every fault kind switched on, collect everything an operator, the UI or IT could see — every log line (debug
 * level, in memory and the log file), a status snapshot after every change (what the local API serves), the
 * audit log, the reject log, the reconciliation report (JSON and CSV), `wuma query` answers for outer and inner
 * codes, `wuma verify` and the demo summary — and search it for any full cap-inner or case-inner code of the
 * database: 0 found. (The outbox is not searched: its EPCIS events go to headquarters and must name the codes.)
 *
 * The search slides a window of each secret length over every text, so it finds a secret whatever surrounds it.
 */

const CASES = 300;
let dir: TempDir;
beforeEach(() => { dir = makeTempDir('wuma-secrets-'); });
afterEach(() => { dir.remove(); });

/** Every full secret of `secrets` found in `text` (window scan: O(text × distinct secret lengths)). */
function findSecrets(text: string, secrets: ReadonlySet<string>, lengths: readonly number[]): string[] {
  const found = new Set<string>();
  for (const n of lengths) {
    for (let i = 0; i + n <= text.length; i += 1) {
      const w = text.slice(i, i + n);
      if (secrets.has(w)) found.add(w);
    }
  }
  return [...found];
}

describe('secrets scan of the demo line', () => {
  it(`${CASES} cases: no full cap-inner or case-inner code in logs, status snapshots, audit, rejects or reports`, async () => {
    const dbPath = dir.file('demo.db');
    const logFile = dir.file('demo.log');
    const logger = demoLogger({ level: 'debug', file: logFile, keep: 1_000_000 });
    const snapshots: string[] = [];
    const demo = await startDemoLine({
      dbPath, cases: CASES, rate: 100, logger, seed: 4242,
      faults: { missing: 0.05, duplicate: 0.05, foreign: 0.05, noread: 0.05, label: 0.05 },
    });
    let changes = 0;
    const unsubscribe = demo.station.onChange(() => {
      // Every 5th change and every alarm change: the status the local API and the UI would be given.
      changes += 1;
      const status = demo.station.status();
      if (changes % 5 === 0 || status.alarms.length > 0) snapshots.push(JSON.stringify(status));
    });
    await demo.finished;
    snapshots.push(JSON.stringify(demo.station.status()));
    unsubscribe();
    const summary = await demo.stop();
    expect(summary.decided).toBe(CASES);
    expect(summary.cases.rejected).toBeGreaterThan(20);
    const batchId = summary.batch?.id;
    if (batchId === undefined) throw new Error('the demo ran no batch');

    const store = openStore(dbPath, { checkpointer: false, recover: false });
    let texts: Record<string, string>;
    let secrets: Set<string>;
    let probes: { outer: string; capInner: string; caseInner: string };
    try {
      const db = store.db;
      secrets = new Set(db.prepare('SELECT code FROM codes WHERE kind IN (1, 3)').pluck().all() as string[]);
      probes = {
        outer: db.prepare(`SELECT code FROM containers WHERE level = 'case' LIMIT 1`).pluck().get() as string,
        capInner: db.prepare('SELECT code FROM codes WHERE kind = 1 AND status = 2 LIMIT 1').pluck().get() as string,
        caseInner: db.prepare('SELECT code FROM codes WHERE kind = 3 AND status = 5 LIMIT 1').pluck().get() as string,
      };
      texts = {
        audit: JSON.stringify(db.prepare('SELECT * FROM audit_log ORDER BY seq').all()),
        rejects: JSON.stringify(db.prepare('SELECT * FROM rejects ORDER BY id').all()),
        reconciliation: JSON.stringify(reconcileBatch(db, batchId)),
      };
    } finally {
      await store.close();
    }
    const cli = async (argv: string[]): Promise<string> => {
      const r = await runWuma([...argv, '--db', dbPath]);
      return `${r.stdout}\n${r.stderr}`;
    };
    Object.assign(texts, {
      logMemory: logger.lines.join(''),
      logFile: readFileSync(logFile, 'utf8'),
      snapshots: snapshots.join('\n'),
      summary: JSON.stringify(summary),
      reportJson: await cli(['batch', 'report', String(batchId), '--json']),
      reportCsv: await cli(['batch', 'report', String(batchId), '--format', 'csv']),
      reportTable: await cli(['batch', 'report', String(batchId)]),
      queryCase: await cli(['query', probes.outer, '--json']),
      queryCapInner: await cli(['query', probes.capInner, '--json']),
      queryCaseInner: await cli(['query', probes.caseInner]),
      verify: await cli(['verify', '--json']),
    });

    const lengths = [...new Set([...secrets].map((s) => s.length))];
    // The scanner itself finds a planted secret (so a 0 below means something).
    expect(findSecrets(`x${probes.capInner}y`, secrets, lengths)).toEqual([probes.capInner]);
    const sizes = Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, v.length]));
    const leaks = Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, findSecrets(v, secrets, lengths).length]));
    console.log(`secrets scan: ${secrets.size} secret codes, ${logger.lines.length} log lines, ${snapshots.length} status snapshots, bytes ${JSON.stringify(sizes)}; full secrets found ${JSON.stringify(leaks)}`);
    expect(logger.lines.length).toBeGreaterThan(CASES);
    expect(texts['queryCapInner']).toContain(probes.capInner.slice(0, 4));
    expect(leaks).toEqual(Object.fromEntries(Object.keys(texts).map((k) => [k, 0])));
  }, 180_000);
});
