import { describe, expect, it } from 'vitest';
import { PRINTER_EMULATORS, type PrinterEmulator } from '../../printers/index.ts';
import { READER_EMULATORS, type ReaderEmulator } from '../../scanners/index.ts';
import { closeAfterEach } from '../../test/support/close-after-each.ts';
import { seedPairingMaterial } from '../../test/support/pairing-material.ts';
import { makeTempDir } from '../../test/support/temp-dir.ts';
import { parsePairingConfig } from '../config/pairing-config.ts';
import { QueueFeed } from '../demo/queue-feed.ts';
import { startModbusPlcEmulator } from '../plc/emulators/modbus-plc-emulator.ts';
import { DEFAULT_REGISTER_MAP } from '../plc/register-map.ts';
import { openStore, type Db } from '../store/open.ts';
import { allocatePairingOuter } from '../store/pairing-items.ts';
import { PAIRING_REASON_NUMBER } from './pairing-reason.ts';
import type { PairingItemOutcome } from './pairing-station.ts';
import { startPairingStation } from './pairing-runtime.ts';

const keep = closeAfterEach();
const HOST = '127.0.0.1';

/** Two reader emulators (Keyence inner side, Cognex outer side) and a Modbus PLC, all on loopback TCP. */
async function line() {
  const dir = keep(makeTempDir(), (d) => { d.remove(); });
  const seedStore = openStore(dir.file('supplier.db'), { checkpointer: false });
  const m = seedPairingMaterial(seedStore.db, { count: 12 });
  await seedStore.close();
  const innerFeed = new QueueFeed();
  const outerFeed = new QueueFeed();
  const listen = { kind: 'tcp-listen', host: HOST, port: 0 } as const;
  const innerEm: ReaderEmulator = keep(await READER_EMULATORS.keyence({ endpoint: listen, feed: innerFeed }).start(), (e) => e.stop());
  const outerEm: ReaderEmulator = keep(await READER_EMULATORS.cognex({ endpoint: listen, feed: outerFeed }).start(), (e) => e.stop());
  const plc = keep(await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: HOST, port: 0 }, confirm: { mode: 'delay', ms: 2 }, heartbeatMs: 100 }), (p) => p.close());
  const config = parsePairingConfig({
    mode: 'pairing', station: { id: 'CAP-P1', line: 'P1' }, database: dir.file('supplier.db'),
    pairing: {
      innerPackage: m.innerPackage, outerPackage: m.outerPackage,
      innerReader: { driver: 'keyence', tcp: `${HOST}:${innerEm.port}` }, outerReader: { driver: 'cognex', tcp: `${HOST}:${outerEm.port}` },
      readTimeoutMs: 500,
    },
    plc: { driver: 'modbus-tcp', tcp: `${HOST}:${plc.tcpPort ?? 0}`, rejectConfirmTimeoutMs: 500 },
  });
  const lines: string[] = [];
  const logger = { debug: (msg: string, f?: object) => lines.push(JSON.stringify({ msg, ...f })), info: (msg: string, f?: object) => lines.push(JSON.stringify({ msg, ...f })), warn: (msg: string, f?: object) => lines.push(JSON.stringify({ msg, ...f })), error: (msg: string, f?: object) => lines.push(JSON.stringify({ msg, ...f })) };
  const running = keep(await startPairingStation(config, { logger, plcTiming: { pollIntervalMs: 5 } }), (r) => r.stop());
  const outcomes: PairingItemOutcome[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  running.station.onOutcome((o) => {
    outcomes.push(o);
    for (const w of waiters.splice(0)) if (outcomes.length >= w.n) w.resolve(); else waiters.push(w);
  });
  /** One item passes the photo-eye: what each camera sees, then the PLC trigger edge. Resolves on its decision. */
  const pass = async (inner: string[], outer: string[]): Promise<PairingItemOutcome> => {
    const n = outcomes.length + 1;
    innerFeed.push(inner);
    outerFeed.push(outer);
    const done = new Promise<void>((resolve) => { waiters.push({ n, resolve }); });
    plc.plc.advanceTrigger(1);
    await done;
    return outcomes[n - 1]!;
  };
  return { m, running, plc, innerEm, innerFeed, outerEm, outerFeed, pass, lines };
}

/** One-camera mode: a Keyence emulator whose one read carries every code of the item (as its multi-read sends them). */
async function oneCameraLine() {
  const dir = keep(makeTempDir(), (d) => { d.remove(); });
  const seedStore = openStore(dir.file('supplier.db'), { checkpointer: false });
  const m = seedPairingMaterial(seedStore.db, { count: 12 });
  await seedStore.close();
  const feed = new QueueFeed();
  const cam: ReaderEmulator = keep(await READER_EMULATORS.keyence({ endpoint: { kind: 'tcp-listen', host: HOST, port: 0 }, feed }).start(), (e) => e.stop());
  const plc = keep(await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: HOST, port: 0 }, confirm: { mode: 'delay', ms: 2 }, heartbeatMs: 100 }), (p) => p.close());
  const config = parsePairingConfig({
    mode: 'pairing', station: { id: 'CTN-P1', line: 'C1' }, database: dir.file('supplier.db'),
    pairing: { innerPackage: m.innerPackage, outerPackage: m.outerPackage, camera: { driver: 'keyence', tcp: `${HOST}:${cam.port}` }, readTimeoutMs: 500 },
    plc: { driver: 'modbus-tcp', tcp: `${HOST}:${plc.tcpPort ?? 0}`, rejectConfirmTimeoutMs: 500 },
  });
  const lines: string[] = [];
  const log = (msg: string, f?: object): void => { lines.push(JSON.stringify({ msg, ...f })); };
  const running = keep(await startPairingStation(config, { logger: { debug: log, info: log, warn: log, error: log }, plcTiming: { pollIntervalMs: 5 } }), (r) => r.stop());
  const next = outcomesOf(running.station);
  const pass = async (codes: string[]): Promise<PairingItemOutcome> => {
    feed.push(codes);
    const done = next();
    plc.plc.advanceTrigger(1);
    return done;
  };
  return { m, running, plc, cam, feed, pass, lines };
}

/** Print mode: a Keyence inner reader and a Videojet (CIJ) printer emulator printing the outer code, over TCP. */
async function printLine() {
  const dir = keep(makeTempDir(), (d) => { d.remove(); });
  const seedStore = openStore(dir.file('supplier.db'), { checkpointer: false });
  const m = seedPairingMaterial(seedStore.db, { count: 12 });
  await seedStore.close();
  const feed = new QueueFeed();
  const inner: ReaderEmulator = keep(await READER_EMULATORS.keyence({ endpoint: { kind: 'tcp-listen', host: HOST, port: 0 }, feed }).start(), (e) => e.stop());
  const printer: PrinterEmulator = PRINTER_EMULATORS.videojet({ printMs: 2 });
  const at = await printer.listenTcp(HOST, 0);
  keep(printer, (p) => p.close());
  const plc = keep(await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: HOST, port: 0 }, confirm: { mode: 'delay', ms: 2 }, heartbeatMs: 100 }), (p) => p.close());
  const config = parsePairingConfig({
    mode: 'pairing', station: { id: 'CAP-P2', line: 'P2' }, database: dir.file('supplier.db'),
    pairing: {
      innerPackage: m.innerPackage, outerPackage: m.outerPackage, innerReader: { driver: 'keyence', tcp: `${HOST}:${inner.port}` },
      outerPrinter: { driver: 'videojet', tcp: `${HOST}:${at.port}` }, readTimeoutMs: 500, printConfirmTimeoutMs: 500,
    },
    plc: { driver: 'modbus-tcp', tcp: `${HOST}:${plc.tcpPort ?? 0}`, rejectConfirmTimeoutMs: 500 },
  });
  const lines: string[] = [];
  const log = (msg: string, f?: object): void => { lines.push(JSON.stringify({ msg, ...f })); };
  const start = () => startPairingStation(config, { logger: { debug: log, info: log, warn: log, error: log }, plcTiming: { pollIntervalMs: 5 } });
  const running = keep(await start(), (r) => r.stop());
  const next = outcomesOf(running.station);
  const pass = async (codes: string[]): Promise<PairingItemOutcome> => {
    feed.push(codes);
    const done = next();
    plc.plc.advanceTrigger(1);
    return done;
  };
  return { m, running, plc, printer, feed, pass, lines, config, start };
}

function outcomesOf(station: { onOutcome(l: (o: PairingItemOutcome) => void): () => void }): () => Promise<PairingItemOutcome> {
  const queue: PairingItemOutcome[] = [];
  let wake: (() => void) | null = null;
  station.onOutcome((o) => { queue.push(o); wake?.(); });
  return async () => {
    while (queue.length === 0) await new Promise<void>((resolve) => { wake = resolve; });
    wake = null;
    return queue.shift()!;
  };
}

const codeRow = (db: Db, c: string) => db.prepare('SELECT status, pair FROM codes WHERE code = ?').get(c) as { status: number; pair: string | null } | undefined;

describe('pairing station over loopback (one camera reads both codes, Modbus PLC)', () => {
  it('pairs both codes of one read in either order; a missing code is 单面无读, a foreign one 码包外, a repeat 重码; 错位 never', async () => {
    const { m, running, plc, cam, feed, pass, lines } = await oneCameraLine();
    expect((await pass([m.inner[0]!, m.outer[0]!])).verdict).toEqual({ kind: 'pair' });
    expect((await pass([m.outer[1]!, m.inner[1]!])).verdict).toEqual({ kind: 'pair' });
    expect((await pass([m.outer[2]!])).verdict).toEqual({ kind: 'waste', reason: 'one-side' });
    expect((await pass([m.inner[3]!])).verdict).toEqual({ kind: 'waste', reason: 'one-side' });
    expect((await pass([])).verdict).toEqual({ kind: 'waste', reason: 'one-side' });
    expect((await pass([m.inner[4]!, 'FOREIGN00001'])).verdict).toEqual({ kind: 'waste', reason: 'foreign' });
    expect((await pass([m.inner[0]!, m.outer[0]!])).verdict).toEqual({ kind: 'waste', reason: 'duplicate' });
    expect((await pass([m.inner[5]!, m.outer[5]!, 'STRAY0000001'])).verdict).toEqual({ kind: 'waste', reason: 'foreign' });
    // A stray trigger of the camera between items does not make the next item slipped: both codes come from one read.
    const stray = new Promise<void>((resolve) => {
      const sub = running.readers.camera!.onRead((r) => { if (r.trigger.source === 'external') { sub.dispose(); resolve(); } });
    });
    feed.push([m.inner[9]!]);
    cam.fire();
    await stray;
    expect((await pass([m.inner[6]!, m.outer[6]!])).verdict).toEqual({ kind: 'pair' });

    const status = running.status();
    expect(status.sources).toBe('one-camera');
    expect(status.counts).toEqual({ items: 9, paired: 3, waste: 6, byReason: { 'one-side': 3, duplicate: 1, foreign: 2, slipped: 0, 'already-paired': 0, 'print-failed': 0 } });
    expect(plc.plc.snapshot().kicks.map((k) => k.reason)).toEqual([21, 21, 21, 23, 22, 23]);
    expect(plc.plc.snapshot().accepts).toBe(3);
    const db = running.store.db;
    expect(codeRow(db, m.inner[1]!)?.pair).toBe(m.outer[1]);
    expect(codeRow(db, m.outer[2]!)?.status).toBe(8);
    // Each pair is an AssociationEvent in the outbox, frozen with the pair (outer = parentID, inner = childEPCs).
    const events = db.prepare(`SELECT body FROM outbox WHERE event_type = 'AssociationEvent' ORDER BY id`).pluck().all() as string[];
    expect(events.map((b) => (JSON.parse(b) as { parentID: string }).parentID)).toEqual([0, 1, 6].map((i) => `https://id.wuma.local/cap-outer/${m.outer[i]!}`));
    const text = lines.join('\n') + JSON.stringify(status);
    for (const c of m.inner) expect(text).not.toContain(c);
  });
});

describe('pairing station over loopback (inner reader, outer code printed by a Videojet emulator over TCP)', () => {
  it('prints one allocated outer code per item and pairs it with the inner code read; a refused print is 打印失败 and its code voided', async () => {
    const { m, running, plc, printer, pass, lines } = await printLine();
    const first = await pass([m.inner[0]!]);
    expect(first.verdict).toEqual({ kind: 'pair' });
    const printed = () => printer.printed.map((p) => p.code);
    expect(printed()).toHaveLength(1);
    const db = running.store.db;
    const o1 = printed()[0]!;
    expect(m.outer).toContain(o1);
    expect(codeRow(db, m.inner[0]!)?.pair).toBe(o1);
    expect(codeRow(db, o1)).toEqual({ status: 1, pair: m.inner[0] });

    printer.faults.nakJobs = 1;
    const refused = await pass([m.inner[1]!]);
    expect(refused.verdict).toEqual({ kind: 'waste', reason: 'print-failed' });
    const lastItem = db.prepare('SELECT outer, reason FROM pairing_items ORDER BY seq DESC LIMIT 1').get() as { outer: string; reason: string };
    expect(lastItem.reason).toBe('print-failed');
    expect(codeRow(db, lastItem.outer)?.status).toBe(8);
    expect(codeRow(db, m.inner[1]!)?.status).toBe(8);
    expect(running.alarms.active().map((a) => a.id)).toContain('printer-fault:pairing-print');

    // The next print works again: a new code (never the voided one), the alarm clears.
    expect((await pass([m.inner[2]!])).verdict).toEqual({ kind: 'pair' });
    expect(printed()).toHaveLength(2);
    expect(printed()[1]).not.toBe(lastItem.outer);
    expect(running.alarms.active().map((a) => a.id)).not.toContain('printer-fault:pairing-print');
    // Inner side unread: the printed outer code is voided with the waste row (it is on a cap that is kicked).
    const unread = await pass([]);
    expect(unread.verdict).toEqual({ kind: 'waste', reason: 'one-side' });
    expect(codeRow(db, printed()[2]!)?.status).toBe(8);

    expect(plc.plc.snapshot().kicks.map((k) => k.reason)).toEqual([26, 21]);
    expect(running.status()).toMatchObject({ sources: 'print', counts: { paired: 2, waste: 2, byReason: { 'print-failed': 1, 'one-side': 1 } } });
    expect(db.prepare(`SELECT count(*) FROM outbox WHERE event_type = 'AssociationEvent'`).pluck().get()).toBe(2);
    const text = lines.join('\n');
    expect(text).toContain('outer code print not confirmed');
    for (const c of m.inner) expect(text).not.toContain(c);
  });

  it('an outer code allocated when the station died (fate unknown) is voided when it resumes the run', async () => {
    const { m, running, pass, start } = await printLine();
    expect((await pass([m.inner[0]!])).verdict).toEqual({ kind: 'pair' });
    const db = running.store.db;
    // What a kill between allocation and the item's commit leaves behind: an allocation with no item.
    const orphan = allocatePairingOuter(db, running.run);
    expect(orphan.kind).toBe('code');
    const code = orphan.kind === 'code' ? orphan.code : '';
    await running.stop();
    const again = keep(await start(), (r) => r.stop());
    expect(again.run.uuid).toBe(running.run.uuid);
    expect(again.voidedAtStart).toBe(1);
    expect(codeRow(again.store.db, code)).toEqual({ status: 8, pair: null });
  });
});

describe('pairing station over loopback (two readers, Modbus PLC)', () => {
  it('pairs clean items, ends every fault in its reason with a PLC kick of that reason, and never logs an inner code', async () => {
    const { m, running, plc, innerEm, innerFeed, pass, lines } = await line();
    expect((await pass([m.inner[0]!], [m.outer[0]!])).verdict).toEqual({ kind: 'pair' });
    expect((await pass([], [m.outer[1]!])).verdict).toEqual({ kind: 'waste', reason: 'one-side' });
    expect((await pass([m.inner[0]!], [m.outer[0]!])).verdict).toEqual({ kind: 'waste', reason: 'duplicate' });
    expect((await pass([m.inner[2]!], ['FOREIGN00001'])).verdict).toEqual({ kind: 'waste', reason: 'foreign' });
    // A stray extra trigger on the inner camera between two items: its result counter runs one ahead of the outer one's.
    const stray = new Promise<void>((resolve) => {
      const sub = running.readers.inner!.onRead((r) => { if (r.trigger.source === 'external') { sub.dispose(); resolve(); } });
    });
    innerFeed.push([m.inner[9]!]);
    innerEm.fire();
    await stray;
    const slipped = await pass([m.inner[3]!], [m.outer[3]!]);
    expect(slipped.verdict).toEqual({ kind: 'waste', reason: 'slipped' });
    // Realigned: the next item is judged afresh.
    expect((await pass([m.inner[4]!], [m.outer[4]!])).verdict).toEqual({ kind: 'pair' });
    const two = await pass([m.inner[5]!, m.inner[6]!], [m.outer[5]!]);
    expect(two.verdict).toEqual({ kind: 'waste', reason: 'one-side' });

    const status = running.status();
    expect(status.counts).toEqual({ items: 7, paired: 2, waste: 5, byReason: { 'one-side': 2, duplicate: 1, foreign: 1, slipped: 1, 'already-paired': 0, 'print-failed': 0 } });
    expect(status.lastItems[0]).toMatchObject({ seq: 7, outcome: 'waste', reason: 'one-side', reasonLabel: '单面无读' });
    const kicks = plc.plc.snapshot().kicks.map((k) => k.reason);
    expect(kicks).toEqual([21, 22, 23, 25, 21].map((n) => n));
    expect(PAIRING_REASON_NUMBER['one-side']).toBe(21);
    expect(plc.plc.snapshot().accepts).toBe(2);
    expect(lines.some((l) => l.includes('stray reader trigger'))).toBe(true);
    const text = lines.join('\n') + JSON.stringify(status);
    for (const c of m.inner) expect(text).not.toContain(c);
    const db = running.store.db;
    expect(db.prepare('SELECT pair FROM codes WHERE code = ?').pluck().get(m.inner[4])).toBe(m.outer[4]);
  });
});
