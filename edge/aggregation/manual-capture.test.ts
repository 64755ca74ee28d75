import { describe, expect, it } from 'vitest';
import type { CaseRules, CodeFacts, CodeLookup } from './check-case.ts';
import { NEW_SESSION, nextScan, scanLine, type CaptureRules, type CaptureSession, type ScanOutcome } from './manual-capture.ts';

/** An in-memory CodeLookup: the port's second implementation (the store's is edge/store/code-lookup.ts). */
function memoryLookup(entries: Record<string, Partial<CodeFacts> & Pick<CodeFacts, 'kind'>>): CodeLookup {
  return {
    get(code) {
      const e = entries[code];
      return e === undefined ? null : { status: 'printed', packageId: 1, productId: 'beer', pair: 'P', parent: null, ...e };
    },
  };
}

const caseRules: CaseRules = { productId: 'beer', unitsPerCase: 3, pairChildren: true, pairCase: true, packageIds: new Set([1]), childKind: 'cap-outer' };
const rules: CaptureRules = { caseRules, casesPerPallet: 2 };
const lookup = memoryLookup({
  B1: { kind: 'cap-outer' }, B2: { kind: 'cap-outer' }, B3: { kind: 'cap-outer' }, B4: { kind: 'cap-outer' },
  USED: { kind: 'cap-outer', status: 'aggregated', parent: 'C0' },
  NOPAIR: { kind: 'cap-outer', pair: null },
  OTHER: { kind: 'cap-outer', packageId: 9 },
  DEAD: { kind: 'cap-outer', status: 'rejected' },
  SECRETINNER0001: { kind: 'cap-inner' },
  C1: { kind: 'case-outer' }, C2: { kind: 'case-outer' },
  PACKED1: { kind: 'case-outer', status: 'commissioned' }, PACKED2: { kind: 'case-outer', status: 'commissioned' },
  ONPALLET: { kind: 'case-outer', status: 'aggregated', parent: 'PAL0' },
  PAL1: { kind: 'pallet' }, PALUSED: { kind: 'pallet', status: 'commissioned' },
});

/** Feeds scans, adopting each proposed session as if the store had committed it. */
function feed(scans: readonly string[], start: CaptureSession = NEW_SESSION): { session: CaptureSession; outcomes: ScanOutcome[] } {
  let session = start;
  const outcomes: ScanOutcome[] = [];
  for (const s of scans) {
    const o = scanLine(session, s, rules, lookup);
    outcomes.push(o);
    if ('session' in o) session = o.session;
  }
  return { session, outcomes };
}

describe('manual capture: what to scan next', () => {
  it('counts bottles, asks for the case code at the ratio, then proposes the case commit', () => {
    expect(nextScan(NEW_SESSION, rules).text).toBe('请扫瓶码：共 3 个，已扫 0 个 (scan 3 bottle codes (0 of 3))');
    const { session, outcomes } = feed(['B1', 'B2']);
    expect(nextScan(session, rules)).toMatchObject({ kind: 'children', have: 2, need: 3 });
    const third = scanLine(session, 'B3', rules, lookup);
    expect(third.kind).toBe('child-added');
    if (third.kind !== 'child-added') return;
    expect(nextScan(third.session, rules)).toMatchObject({ kind: 'case-code', text: expect.stringContaining('请扫箱码') });
    const done = scanLine(third.session, 'C1', rules, lookup);
    expect(done).toMatchObject({ kind: 'commit-case', caseCode: 'C1', children: ['B1', 'B2', 'B3'] });
    if (done.kind === 'commit-case') expect(done.session).toEqual(NEW_SESSION);
    expect(outcomes.map((o) => o.kind)).toEqual(['child-added', 'child-added']);
  });

  it('refuses bad scans with the case station reason and keeps the session', () => {
    const { session } = feed(['B1']);
    const cases: [string, string][] = [
      ['B1', 'duplicate'], ['USED', 'duplicate'], ['NOPAIR', 'unpaired'], ['OTHER', 'foreign'], ['UNKNOWN', 'foreign'],
      ['DEAD', 'unusable'], ['C1', 'wrong-step'], ['#NOPE', 'not-now'],
    ];
    for (const [scan, reason] of cases) expect(scanLine(session, scan, rules, lookup), scan).toMatchObject({ kind: 'refused', reason });
    expect(scanLine(session, '   ', rules, lookup)).toEqual({ kind: 'ignored' });
  });

  it('masks a secret code it refuses', () => {
    const o = scanLine(NEW_SESSION, 'SECRETINNER0001', rules, lookup);
    expect(o).toMatchObject({ kind: 'refused', reason: 'wrong-step', shown: 'SECR…01' });
    expect(JSON.stringify(o)).not.toContain('SECRETINNER0001');
  });

  it('at the case-code step refuses a bottle and a used case code, keeps the children', () => {
    const { session } = feed(['B1', 'B2', 'B3']);
    expect(scanLine(session, 'B4', rules, lookup)).toMatchObject({ kind: 'refused', reason: 'wrong-step' });
    expect(scanLine(session, 'B2', rules, lookup)).toMatchObject({ kind: 'refused', reason: 'duplicate' });
    expect(scanLine(session, 'PACKED1', rules, lookup)).toMatchObject({ kind: 'refused', reason: 'case-code' });
    expect(session.children).toEqual(['B1', 'B2', 'B3']);
  });

  it('#CLEAR drops a half case; #PALLET is refused with a half case', () => {
    const { session } = feed(['B1', 'B2']);
    expect(scanLine(session, '#pallet', rules, lookup)).toMatchObject({ kind: 'refused', reason: 'not-now' });
    const cleared = scanLine(session, '#CLEAR', rules, lookup);
    expect(cleared).toMatchObject({ kind: 'control', event: 'clear', dropped: 2, session: NEW_SESSION });
  });

  it('pallet level: case codes, #END for a short pallet, then the pallet code', () => {
    const { session, outcomes } = feed(['#PALLET', 'PACKED1']);
    expect(outcomes[1]).toMatchObject({ kind: 'stack-case', caseCode: 'PACKED1' });
    expect(nextScan(session, rules)).toMatchObject({ kind: 'case-codes', have: 1, need: 2 });
    for (const [scan, reason] of [['PACKED1', 'duplicate'], ['ONPALLET', 'duplicate'], ['C2', 'unusable'], ['B1', 'wrong-step']] as const) {
      expect(scanLine(session, scan, rules, lookup), scan).toMatchObject({ kind: 'refused', reason });
    }
    expect(scanLine(session, '#CASE', rules, lookup)).toMatchObject({ kind: 'refused', reason: 'not-now' });
    const ended = feed(['#END'], session).session;
    expect(nextScan(ended, rules)).toMatchObject({ kind: 'pallet-code', short: true, cases: 1 });
    expect(scanLine(ended, 'PALUSED', rules, lookup)).toMatchObject({ kind: 'refused', reason: 'duplicate' });
    expect(scanLine(ended, 'PACKED2', rules, lookup)).toMatchObject({ kind: 'refused', reason: 'wrong-step' });
    expect(scanLine(ended, 'PAL1', rules, lookup)).toMatchObject({ kind: 'commit-pallet', palletCode: 'PAL1', cases: ['PACKED1'], short: true, session: { state: 'pallet-cases', cases: [] } });
  });

  it('pallet level: the ratio asks for the pallet code without #END; #CLEAR goes back to stacking', () => {
    const { session } = feed(['#PALLET', 'PACKED1', 'PACKED2']);
    expect(nextScan(session, rules)).toMatchObject({ kind: 'pallet-code', short: false, cases: 2 });
    expect(feed(['#CLEAR'], session).session).toMatchObject({ state: 'pallet-cases', cases: ['PACKED1', 'PACKED2'] });
    expect(scanLine(NEW_SESSION, '#END', rules, lookup)).toMatchObject({ kind: 'refused', reason: 'not-now' });
  });

  it('an ended session refuses everything', () => {
    const ended: CaptureSession = { ...NEW_SESSION, state: 'ended' };
    expect(scanLine(ended, 'B1', rules, lookup)).toMatchObject({ kind: 'refused', reason: 'not-now' });
    expect(nextScan(ended, rules).kind).toBe('ended');
  });
});
