import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { READER_EMULATORS } from '../../scanners/index.ts';
import { QueueFeed } from '../../edge/demo/queue-feed.ts';
import { startModbusPlcEmulator } from '../../edge/plc/emulators/modbus-plc-emulator.ts';
import { DEFAULT_REGISTER_MAP } from '../../edge/plc/register-map.ts';
import { openStore } from '../../edge/store/open.ts';
import { closeAfterEach } from '../support/close-after-each.ts';
import { seedPairingMaterial } from '../support/pairing-material.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const keep = closeAfterEach();
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;
const HOST = '127.0.0.1';

/** `wuma station --config pairing.json` as its own process against emulators on loopback, stopped by SIGTERM. */
describe('wuma station --config pairing.json (process)', () => {
  it('starts, pairs what passes, serves its status to the token holder and prints the counts on SIGTERM', async () => {
    const dir = keep(makeTempDir(), (d) => { d.remove(); });
    const s = openStore(dir.file('supplier.db'), { checkpointer: false });
    const m = seedPairingMaterial(s.db, { count: 4 });
    await s.close();
    const innerFeed = new QueueFeed();
    const outerFeed = new QueueFeed();
    const listen = { kind: 'tcp-listen', host: HOST, port: 0 } as const;
    const innerEm = keep(await READER_EMULATORS.keyence({ endpoint: listen, feed: innerFeed }).start(), (e) => e.stop());
    const outerEm = keep(await READER_EMULATORS.cognex({ endpoint: listen, feed: outerFeed }).start(), (e) => e.stop());
    const plc = keep(await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: HOST, port: 0 }, confirm: { mode: 'delay', ms: 2 }, heartbeatMs: 100 }), (p) => p.close());
    writeFileSync(dir.file('pairing.json'), JSON.stringify({
      mode: 'pairing', station: { id: 'CAP-P1', line: 'P1' }, database: dir.file('supplier.db'),
      pairing: {
        innerPackage: m.innerPackage, outerPackage: m.outerPackage,
        innerReader: { driver: 'keyence', tcp: `${HOST}:${innerEm.port}` }, outerReader: { driver: 'cognex', tcp: `${HOST}:${outerEm.port}` },
      },
      plc: { driver: 'modbus-tcp', tcp: `${HOST}:${plc.tcpPort ?? 0}` },
    }));
    const child = keep(spawn(NODE, ['edge/cli/main.ts', 'station', '--config', dir.file('pairing.json'), '--json', '--api-port', '0', '--api-token-file', dir.file('token')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }), (c) => { if (c.exitCode === null) c.kill('SIGKILL'); });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const lines: Record<string, unknown>[] = [];
    let wake: (() => void) | null = null;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const parts = out.split('\n');
      out = parts.pop() ?? '';
      for (const p of parts) if (p.trim() !== '') lines.push(JSON.parse(p) as Record<string, unknown>);
      wake?.();
    });
    const exited = new Promise<number | null>((resolve) => { child.on('exit', (code) => { wake?.(); resolve(code); }); });
    while (lines.length === 0 && child.exitCode === null) await new Promise<void>((resolve) => { wake = resolve; });
    expect(lines[0], err).toMatchObject({ ok: true, started: true, mode: 'pairing' });
    const ui = lines[0]?.['ui'] as { url: string };
    const token = readFileSync(dir.file('token'), 'utf8').trim();
    const status = async (): Promise<{ counts: { items: number; paired: number } }> => {
      const res = await fetch(ui.url.replace('/pairing.html', '/api/pairing/status'), { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return await res.json() as { counts: { items: number; paired: number } };
    };
    innerFeed.push([m.inner[0]!]);
    outerFeed.push([m.outer[0]!]);
    plc.plc.advanceTrigger(1);
    // Wait for the decision through the station's own status (bounded by the test timeout, not a timed assertion).
    while ((await status()).counts.items < 1) await new Promise((r) => setTimeout(r, 20));
    expect((await status()).counts.paired).toBe(1);
    expect((await fetch(ui.url.replace('/pairing.html', '/api/pairing/status'))).status).toBe(401);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.at(-1)).toMatchObject({ ok: true, stopped: 'SIGTERM', counts: { items: 1, paired: 1, waste: 0 } });
    expect(err).not.toContain(m.inner[0]);
  });
});
