import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReaderConfig } from '../contract.ts';
import { cognexDialect } from '../drivers/cognex-dmcc.ts';
import { hikrobotDialect } from '../drivers/hikrobot-id.ts';
import { keyenceDialect } from '../drivers/keyence-sr.ts';
import type { LineDialect } from '../drivers/line-dialect.ts';
import { DelimitedFramer } from '../../links/index.ts';
import { createCognexEmulator } from '../emulators/cognex-emulator.ts';
import { CodeFeed } from '../emulators/code-feed.ts';
import { createKeyenceEmulator } from '../emulators/keyence-emulator.ts';
import type { ReaderEmulator } from '../emulators/reader-emulator.ts';
import { createTextEmulator, TEXT_EMULATOR_PRESETS } from '../emulators/text-emulator.ts';

/**
 * Golden byte fixtures transcribed from the manuals (test/fixtures/scanners/*.json, each citing its section)
 * pin both sides independently: the emulator must answer the host bytes with exactly the device bytes (over
 * real TCP), and the driver must send the host bytes and read the device bytes as the listed meanings. A codec
 * bug cannot pass by agreeing with itself.
 */
interface Fixture {
  readonly source: string;
  readonly emulator: { readonly feed: string[][]; readonly extended?: boolean; readonly noRead?: string };
  readonly exchanges: readonly { readonly name: string; readonly host: string; readonly device: string; readonly meanings: readonly string[] }[];
}

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'scanners');
const load = (name: string): Fixture => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Fixture;
const enc = new TextEncoder();
const config = (kind: ReaderConfig['kind']): ReaderConfig => ({ kind, endpoint: { kind: 'tcp', host: '127.0.0.1', port: 1 } });

const cases: readonly { file: string; dialect: LineDialect; emulator: (f: Fixture) => ReaderEmulator; triggerOn: string; triggerOff: string }[] = [
  {
    file: 'cognex-dmcc.json',
    dialect: cognexDialect(config('cognex')),
    emulator: (f) => createCognexEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: new CodeFeed(f.emulator.feed), extended: f.emulator.extended ?? true, readDelayMs: 1 }),
    triggerOn: '||>TRIGGER ON\r\n',
    triggerOff: '||>TRIGGER OFF\r\n',
  },
  {
    file: 'keyence-sr.json',
    dialect: keyenceDialect(config('keyence')),
    emulator: (f) => createKeyenceEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: new CodeFeed(f.emulator.feed), readDelayMs: 1 }),
    triggerOn: 'LON\r',
    triggerOff: 'LOFF\r',
  },
  {
    file: 'hikrobot-id.json',
    dialect: hikrobotDialect(config('hikrobot')),
    emulator: (f) => createTextEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: new CodeFeed(f.emulator.feed), settings: TEXT_EMULATOR_PRESETS.hikrobot, readDelayMs: 1 }),
    triggerOn: 'start',
    triggerOff: 'stop',
  },
];

/** Sends `host` on a fresh connection and collects what comes back until `expectedLength` bytes or 300 ms of quiet. */
async function exchange(port: number, host: string, expectedLength: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    let quiet = setTimeout(resolve, 300);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(quiet);
      quiet = setTimeout(resolve, Buffer.concat(chunks).length >= expectedLength ? 20 : 300);
    });
    socket.once('close', () => { clearTimeout(quiet); resolve(); });
  });
  socket.write(host);
  await done;
  const closed = new Promise<void>((r) => { socket.once('close', () => { r(); }); });
  socket.destroy();
  await closed;
  return Buffer.concat(chunks).toString('utf8');
}

for (const c of cases) {
  const fixture = load(c.file);
  describe(`golden bytes: ${c.file}`, () => {
    it('cites its manual section', () => {
      expect(fixture.source).toMatch(/manual|guide|usage|§/i);
    });

    it('driver sends the documented trigger bytes', () => {
      expect(Buffer.from(c.dialect.triggerOn ?? []).toString('latin1')).toBe(c.triggerOn);
      expect(Buffer.from(c.dialect.triggerOff ?? []).toString('latin1')).toBe(c.triggerOff);
    });

    for (const x of fixture.exchanges) {
      it(`driver reads "${x.name}" as ${x.meanings.join(', ') || 'nothing'}`, () => {
        const framer = new DelimitedFramer({ ...c.dialect.framing, maxFrameBytes: 4096 });
        const meanings = framer.push(enc.encode(x.device)).map((o) => (o.kind === 'frame' ? c.dialect.classify(o.bytes).kind : `rejected:${o.reason}`));
        expect(meanings).toEqual(x.meanings);
      });
    }

    it('emulator answers every host frame with the documented device bytes', async () => {
      const emulator = await c.emulator(fixture).start();
      try {
        for (const x of fixture.exchanges) {
          expect(await exchange(emulator.port, x.host, enc.encode(x.device).length), x.name).toBe(x.device);
        }
      } finally {
        await emulator.stop();
      }
    });
  });
}
