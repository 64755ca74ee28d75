import { afterEach, describe, expect, it } from 'vitest';
import { CodeFeed, createCognexEmulator, type ReaderEmulator } from '../../scanners/index.ts';
import { PRINTER_EMULATORS, type PrinterEmulator } from '../../printers/index.ts';
import { parseConfig } from '../../edge/config/load-config.ts';
import { createLogger, startStation, type RunningStation } from '../../edge/main.ts';
import { startModbusPlcEmulator, type ModbusPlcEmulator } from '../../edge/plc/emulators/modbus-plc-emulator.ts';
import { DEFAULT_REGISTER_MAP } from '../../edge/plc/register-map.ts';
import { allocateCaseCode } from '../../edge/store/case-allocation.ts';
import { openStore } from '../../edge/store/open.ts';
import { verifyStore } from '../../edge/store/verify.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { capsOfCase, packageUuids, seedLine, type LineMaterial } from './batch-line-fixture.ts';
import { QueueFeed, waitFor } from './station-fixture.ts';

/**
 * Case-code print mode end to end (issue 4 §2 "allocated → printed → read back"): a Cognex camera over the case
 * top, a ZPL printer emulator as the case printer, a Cognex verifier that reads back what the printer printed last
 * (fault knob: smudged reads), and the Modbus PLC emulator — all real emulators over TCP on 127.0.0.1, port 0.
 */

class LabelFeed extends CodeFeed {
  readonly #printer: PrinterEmulator;
  /** The next N reads see a smudged label (no-read). */
  smudged = 0;
  /** The next N reads see a neighbour's label. */
  wrong = 0;
  /** The next N reads see the printed label and a neighbour's beside it. */
  neighbour = 0;
  constructor(printer: PrinterEmulator) { super([[]]); this.#printer = printer; }
  override next(): readonly string[] {
    if (this.smudged > 0) { this.smudged -= 1; return []; }
    if (this.wrong > 0) { this.wrong -= 1; return ['NEIGHBOUR0001']; }
    const last = this.#printer.printed.at(-1);
    if (last === undefined) return [];
    if (this.neighbour > 0) { this.neighbour -= 1; return [last.code, 'NEIGHBOUR0001']; }
    return [last.code];
  }
}

interface PrintLine {
  dir: TempDir;
  material: LineMaterial;
  station: RunningStation;
  printer: PrinterEmulator;
  labels: LabelFeed;
  logs: string[];
  runCase(children: readonly string[]): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

let line: PrintLine | null = null;
afterEach(async () => { await line?.close(); line = null; });

async function startPrintLine(printAttempts = 3): Promise<PrintLine> {
  const dir = makeTempDir('wuma-print-');
  const dbPath = dir.file('wuma.db');
  const seed = openStore(dbPath, { checkpointer: false });
  const material = seedLine(seed.db, { unitsPerCase: 4, casesPerPallet: 3, cases: 8, spareCaps: 8 });
  await seed.close();
  const listen = { kind: 'tcp-listen' as const, host: '127.0.0.1', port: 0 };
  const cameraFeed = new QueueFeed();
  const printer = PRINTER_EMULATORS.zpl({ printMs: 5 });
  const labels = new LabelFeed(printer);
  const camera: ReaderEmulator = await createCognexEmulator({ endpoint: listen, feed: cameraFeed, readDelayMs: 2 }).start();
  const verifier: ReaderEmulator = await createCognexEmulator({ endpoint: listen, feed: labels, readDelayMs: 2 }).start();
  const printerAddress = await printer.listenTcp('127.0.0.1', 0);
  const plc: ModbusPlcEmulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 }, heartbeatMs: 50, confirm: { mode: 'delay', ms: 5 } });
  const config = parseConfig({
    station: { id: 'P1', line: 'P1' },
    database: dbPath,
    case: {
      camera: { driver: 'cognex', tcp: `127.0.0.1:${camera.port}` },
      caseCode: { mode: 'print', printer: { driver: 'zpl', tcp: `127.0.0.1:${printerAddress.port}` }, verifier: { driver: 'cognex', tcp: `127.0.0.1:${verifier.port}` } },
      readTimeoutMs: 500, verifyTimeoutMs: 500, printAttempts,
    },
    plc: { driver: 'modbus-tcp', tcp: `127.0.0.1:${plc.tcpPort}`, rejectConfirmTimeoutMs: 400 },
    epcis: { identifiers: { uriTemplate: 'https://c.wuma.example/{kind}/{code}' } },
    alarms: { diskMinFreeMiB: 16 },
  }, 'test');
  expect(config.case?.verifyTimeoutMs).toBe(500);
  const logs: string[] = [];
  const logger = createLogger({ write: (l) => { logs.push(l); }, level: 'debug' });
  const start = (): Promise<RunningStation> => startStation(config, { logger, plcTiming: { pollIntervalMs: 5, requestTimeoutMs: 3_000, watchdogMs: 5_000 } });
  const l: PrintLine = {
    dir, material, printer, labels, logs,
    station: await start(),
    async runCase(children) {
      const before = l.station.status().lastReads[0]?.seq ?? 0;
      cameraFeed.items.push(children);
      plc.plc.advanceTrigger(1);
      await waitFor('the case decision', () => (l.station.status().lastReads[0]?.seq ?? 0) > before && l.station.status().caseStation?.state === 'idle');
    },
    async restart() {
      await l.station.stop();
      l.station = await start();
    },
    async close() {
      await l.station.stop();
      await Promise.all([camera.stop(), verifier.stop(), printer.close(), plc.close()]);
      dir.remove();
    },
  };
  l.station.startBatch({ productId: material.productId, lot: 'L20260301', productionDate: '2026-03-01', packages: packageUuids(material), actor: 'tester' });
  return l;
}

const statusOf = (l: PrintLine, code: string): number => l.station.store.db.prepare('SELECT status FROM codes WHERE code = ?').pluck().get(code) as number;
const printedCodes = (l: PrintLine): string[] => l.printer.printed.map((p) => p.code);

function verify(l: PrintLine): void {
  expect(verifyStore(l.station.store.db).checks.filter((c) => !c.ok)).toEqual([]);
}

describe('case station, print mode', () => {
  it('allocates a case code, prints it, reads it back and commits the case with it', async () => {
    line = await startPrintLine();
    await line.runCase(capsOfCase(line.material, 0));
    await line.runCase(capsOfCase(line.material, 1));
    const s = line.station.status();
    expect(s.caseStation).toMatchObject({ caseCodeMode: 'print', labelsVerified: 2, unseen: 0 });
    expect(s.lastReads.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    const printed = printedCodes(line);
    expect(printed).toHaveLength(2);
    expect(s.lastReads.map((r) => r.caseCode).reverse()).toEqual(printed);
    const db = line.station.store.db;
    for (const code of printed) {
      expect(statusOf(line, code)).toBe(2); // commissioned, with its 4 caps inside
      expect(db.prepare('SELECT count(*) FROM codes WHERE parent = ? AND status = 3').pluck().get(code)).toBe(4);
      expect(db.prepare('SELECT batch_id FROM case_allocations WHERE code = ?').pluck().get(code)).toBe(s.batch?.id);
    }
    // The allocation's audit row comes before the commit's.
    const actions = db.prepare(`SELECT action FROM audit_log WHERE subject = ? ORDER BY seq`).pluck().all(printed[0]);
    expect(actions).toEqual(['case.allocate', 'case.commit']);
    verify(line);
  });

  it('a label the verifier cannot read, or reads as another code, is voided and a new code printed; a repeat raises the alarm', async () => {
    line = await startPrintLine();
    line.labels.smudged = 1;
    await line.runCase(capsOfCase(line.material, 0));
    let printed = printedCodes(line);
    expect(printed).toHaveLength(2);
    expect(statusOf(line, printed[0]!)).toBe(8); // voided (and its case-inner pair with it)
    const inner = line.station.store.db.prepare('SELECT pair FROM codes WHERE code = ?').pluck().get(printed[0]) as string;
    expect(statusOf(line, inner)).toBe(8);
    expect(line.station.status().lastReads[0]).toMatchObject({ outcome: 'accepted', caseCode: printed[1] });
    expect(line.station.status().alarms.filter((a) => a.kind === 'case-label-failed')).toEqual([]);

    // Two failures in a row: the alarm says what to do; a clean label at the first try clears it.
    line.labels.wrong = 1;
    line.labels.smudged = 1;
    await line.runCase(capsOfCase(line.material, 1));
    printed = printedCodes(line);
    expect(printed).toHaveLength(5);
    expect([statusOf(line, printed[2]!), statusOf(line, printed[3]!), statusOf(line, printed[4]!)]).toEqual([8, 8, 2]);
    const alarm = line.station.status().alarms.find((a) => a.kind === 'case-label-failed');
    expect(alarm?.message).toContain('连续 2 次');
    expect(alarm?.action).toContain('复核读码器');
    await line.runCase(capsOfCase(line.material, 2));
    expect(line.station.status().alarms.filter((a) => a.kind === 'case-label-failed')).toEqual([]);
    verify(line);
  });

  it('a read of the case label with a neighbour\'s label in view is not a verification: voided, a new code printed', async () => {
    line = await startPrintLine();
    line.labels.neighbour = 1;
    await line.runCase(capsOfCase(line.material, 0));
    const printed = printedCodes(line);
    expect(printed).toHaveLength(2);
    expect(statusOf(line, printed[0]!)).toBe(8);
    const reason = line.station.store.db.prepare(`SELECT reason FROM audit_log WHERE action = 'codes.void'`).pluck().get() as string;
    expect(reason).toBe('箱码复核失败 (case label not verified): 视野中有 2 个码，应只有一个 (2 codes in view; exactly one expected)');
    expect(line.station.status().lastReads[0]).toMatchObject({ outcome: 'accepted', caseCode: printed[1] });
    verify(line);
  });

  it('a print the printer refuses is voided; out of attempts the case is rejected for its case code', async () => {
    line = await startPrintLine(2);
    line.printer.faults.nakJobs = 1;
    await line.runCase(capsOfCase(line.material, 0));
    expect(line.station.status().lastReads[0]).toMatchObject({ outcome: 'accepted' });
    const voided = line.station.store.db.prepare(`SELECT count(*) FROM case_allocations a JOIN codes c ON c.code = a.code WHERE c.status = 8`).pluck().get();
    expect(voided).toBe(1);

    line.labels.smudged = 2;
    await line.runCase(capsOfCase(line.material, 1));
    const last = line.station.status().lastReads[0]!;
    expect(last).toMatchObject({ outcome: 'rejected', caseCode: null, reasons: ['case-code'] });
    expect(line.station.status().alarms.find((a) => a.kind === 'case-label-failed')?.message).toContain('已剔除');
    // Every allocated code is settled: committed, or voided.
    const open = line.station.store.db.prepare(`SELECT count(*) FROM case_allocations a JOIN codes c ON c.code = a.code WHERE c.status IN (0, 1)`).pluck().get();
    expect(open).toBe(0);
    verify(line);
  });

  it('recovery on start voids a case code allocated before a crash but never committed', async () => {
    line = await startPrintLine();
    await line.runCase(capsOfCase(line.material, 0));
    await line.station.stop();
    // The crash: a code allocated (so maybe printed on a carton) and nothing after it.
    const s = openStore(line.station.store.path, { checkpointer: false });
    const batchId = s.db.prepare(`SELECT id FROM batches WHERE state = 'running'`).pluck().get() as number;
    const orphan = allocateCaseCode(s.db, batchId).code;
    await s.close();
    const l = line;
    await l.restart();
    expect(l.station.recovery).toMatchObject({ voidedCaseCodes: 1 });
    expect(statusOf(l, orphan)).toBe(8);
    expect(l.logs.some((x) => x.includes('作废打印结果未知的箱码'))).toBe(true);
    await l.runCase(capsOfCase(l.material, 1));
    expect(l.station.status().lastReads[0]).toMatchObject({ outcome: 'accepted' });
    expect(l.station.status().lastReads[0]?.caseCode).not.toBe(orphan);
    // No full case-inner code in any log line.
    const inners = l.material.cases.map((c) => c.inner);
    expect(l.logs.filter((x) => inners.some((i) => x.includes(i)))).toEqual([]);
    verify(l);
  });
});
