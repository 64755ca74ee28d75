import { describe, expect, it } from 'vitest';
import { READER_EMULATORS, type ReaderEmulator } from '../../scanners/index.ts';
import { closeAfterEach } from '../../test/support/close-after-each.ts';
import { seedPairingMaterial } from '../../test/support/pairing-material.ts';
import { makeTempDir } from '../../test/support/temp-dir.ts';
import { parsePairingConfig } from '../config/pairing-config.ts';
import { QueueFeed } from '../demo/queue-feed.ts';
import { startModbusPlcEmulator } from '../plc/emulators/modbus-plc-emulator.ts';
import { DEFAULT_REGISTER_MAP } from '../plc/register-map.ts';
import { openStore } from '../store/open.ts';
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

describe('pairing station over loopback (two readers, Modbus PLC)', () => {
  it('pairs clean items, ends every fault in its reason with a PLC kick of that reason, and never logs an inner code', async () => {
    const { m, running, plc, innerEm, innerFeed, pass, lines } = await line();
    expect((await pass([m.inner[0]!], [m.outer[0]!])).verdict).toEqual({ kind: 'pair' });
    expect((await pass([], [m.outer[1]!])).verdict).toEqual({ kind: 'waste', reason: 'one-side' });
    expect((await pass([m.inner[0]!], [m.outer[0]!])).verdict).toEqual({ kind: 'waste', reason: 'duplicate' });
    expect((await pass([m.inner[2]!], ['FOREIGN00001'])).verdict).toEqual({ kind: 'waste', reason: 'foreign' });
    // A stray extra trigger on the inner camera between two items: its result counter runs one ahead of the outer one's.
    const stray = new Promise<void>((resolve) => {
      const sub = running.readers.inner.onRead((r) => { if (r.trigger.source === 'external') { sub.dispose(); resolve(); } });
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
    expect(status.counts).toEqual({ items: 7, paired: 2, waste: 5, byReason: { 'one-side': 2, duplicate: 1, foreign: 1, slipped: 1, 'already-paired': 0 } });
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
