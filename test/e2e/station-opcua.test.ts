import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCognexEmulator, createKeyenceEmulator, type ReaderEmulator } from '../../scanners/index.ts';
import { parseConfig } from '../../edge/config/load-config.ts';
import { createLogger, startStation, type RunningStation } from '../../edge/main.ts';
import { plcConfigOf } from '../../edge/station/device-config.ts';
import { openStore } from '../../edge/store/open.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { startControlledPeer, type ControlledPeer } from '../support/pymodbus.ts';
import { capsOfCase, packageUuids, seedLine } from './batch-line-fixture.ts';

// node-opcua is loaded lazily by the OPC UA PLC driver; its first load opens a process.stdin pipe for good, which the
// shared leak check would pin on the first test. Load it once before any test takes its baseline.
beforeAll(async () => { await import('node-opcua'); });
import { QueueFeed, waitFor } from './station-fixture.ts';

/**
 * The station with `plc.driver: 'opcua'`: the OPC UA PLC emulator (`wuma emulate plc opcua --control`, a node-opcua
 * server) runs in its own process, as in edge/plc's conformance test; the camera and case reader are loopback
 * emulators. Triggers are OPC UA events, accept and reject are method calls, light and counters variable writes.
 */
const WUMA = join(import.meta.dirname, '..', '..', 'bin', 'wuma.js');

interface Snapshot {
  readonly lineStop: boolean;
  readonly stackLight: { readonly green: boolean; readonly red: boolean };
  readonly counters: { readonly good: number; readonly reject: number; readonly noRead: number };
  readonly kicks: readonly { readonly sequence: number; readonly reason: number }[];
  readonly accepts: number;
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => { await cleanup?.(); cleanup = null; });

describe('station over an OPC UA PLC', () => {
  it('takes triggers as events, answers with Accept / PulseReject (confirmed) and writes light and counters', async () => {
    const dir: TempDir = makeTempDir('wuma-opcua-');
    const server: ControlledPeer<{ endpointUrl: string }> = await startControlledPeer(process.execPath, [WUMA, 'emulate', 'plc', 'opcua', '--port', '0', '--json', '--control']);
    const listen = { kind: 'tcp-listen' as const, host: '127.0.0.1', port: 0 };
    const cameraFeed = new QueueFeed();
    const caseFeed = new QueueFeed();
    const camera: ReaderEmulator = await createCognexEmulator({ endpoint: listen, feed: cameraFeed, readDelayMs: 2 }).start();
    const caseReader: ReaderEmulator = await createKeyenceEmulator({ endpoint: listen, feed: caseFeed, readDelayMs: 2 }).start();
    let station: RunningStation | null = null;
    cleanup = async () => {
      await station?.stop();
      await Promise.all([camera.stop(), caseReader.stop(), server.close()]);
      dir.remove();
    };
    const dbPath = dir.file('wuma.db');
    const seed = openStore(dbPath, { checkpointer: false });
    const material = seedLine(seed.db, { unitsPerCase: 4, casesPerPallet: 3, cases: 4, spareCaps: 4 });
    await seed.close();
    await server.control({ op: 'confirm', mode: 'delay', ms: 5 });
    const config = parseConfig({
      station: { id: 'U1', line: 'U1' },
      database: dbPath,
      case: {
        camera: { driver: 'cognex', tcp: `127.0.0.1:${camera.port}` },
        caseCode: { mode: 'read', reader: { driver: 'keyence', tcp: `127.0.0.1:${caseReader.port}` } },
        readTimeoutMs: 500, triggerSource: 'plc',
      },
      plc: { driver: 'opcua', opcua: server.ready.endpointUrl, tags: { namespaceUri: 'urn:wuma:plc' }, rejectConfirmTimeoutMs: 1_500 },
      epcis: { identifiers: { uriTemplate: 'https://c.wuma.example/{kind}/{code}' } },
      alarms: { diskMinFreeMiB: 16 },
    }, 'test');
    const logs: string[] = [];
    station = await startStation(config, { logger: createLogger({ write: (l) => { logs.push(l); }, level: 'debug' }), plcTiming: { pollIntervalMs: 20, requestTimeoutMs: 3_000, watchdogMs: 10_000 } });
    const s = station;
    expect(s.status().devices.find((d) => d.kind === 'plc')?.state).toBe('online');
    expect(s.status().caseStation?.triggerSource).toBe('plc');
    s.startBatch({ productId: material.productId, lot: 'L1', productionDate: '2026-03-01', packages: packageUuids(material), actor: 'tester' });
    const snapshot = async (): Promise<Snapshot> => (await server.control<{ snapshot: Snapshot }>({ op: 'snapshot' })).snapshot;

    const runCase = async (children: readonly string[], caseCode: string): Promise<void> => {
      const before = s.status().lastReads.length;
      cameraFeed.items.push(children);
      caseFeed.items.push([caseCode]);
      await server.control({ op: 'trigger', count: 1 });
      await waitFor('the case decision', () => s.status().lastReads.length > before && s.status().caseStation?.state === 'idle', 10_000);
    };
    await runCase(capsOfCase(material, 0), material.cases[0]!.outer);
    expect(s.status().lastReads[0]).toMatchObject({ outcome: 'accepted' });
    // A case with a bottle missing: the reject pulse goes out as a method call and its confirm event comes back.
    await runCase(capsOfCase(material, 1).slice(0, 3), material.cases[1]!.outer);
    expect(s.status().lastReads[0]).toMatchObject({ outcome: 'rejected', reasons: ['missing'], confirm: 'confirmed' });
    const snap = await snapshot();
    expect(snap.accepts).toBe(1);
    expect(snap.kicks).toHaveLength(1);
    // Counters and light are coalesced writes: poll the emulator until they landed.
    let latest = snap;
    const deadline = Date.now() + 5_000;
    while ((latest.counters.good !== 1 || latest.counters.reject !== 1 || !latest.stackLight.green) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      latest = await snapshot();
    }
    expect(latest.counters).toMatchObject({ good: 1, reject: 1 });
    expect(latest.stackLight).toMatchObject({ green: true, red: false });
    expect(latest.lineStop).toBe(false);
    expect(s.status().alarms).toEqual([]);
  }, 30_000);

  it('a bad OPC UA PLC config fails fast with its field path', () => {
    expect(() => plcConfigOf({ driver: 'opcua', unitId: 1, rejectConfirmTimeoutMs: 1_000 })).toThrow(/plc\.opcua/);
    expect(() => plcConfigOf({ driver: 'opcua', opcua: 'opc.tcp://127.0.0.1:4840', tags: { variables: { lineStopp: 'x' } }, unitId: 1, rejectConfirmTimeoutMs: 1_000 })).toThrow(/plc\.tags.*lineStopp/);
    const ok = plcConfigOf({ driver: 'opcua', opcua: 'opc.tcp://127.0.0.1:4840', unitId: 1, rejectConfirmTimeoutMs: 1_000 });
    expect(ok.connection).toMatchObject({ driver: 'opcua', endpointUrl: 'opc.tcp://127.0.0.1:4840', tags: { namespaceUri: 'urn:wuma:plc' } });
  });
});
