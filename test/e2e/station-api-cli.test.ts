import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../edge/api/client.ts';
import { openStore } from '../../edge/store/open.ts';
import { addUser } from '../../edge/store/users.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

/**
 * `wuma station --config F --api-port P --api-token-file T` as the desktop shell starts it: the API and UI come
 * up beside the station, the token lands in a 0600 file (never on stdout or stderr), and SIGTERM removes it.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;

let dir: TempDir | null = null;
let child: ChildProcess | null = null;
afterEach(async () => {
  if (child !== null && child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
  }
  child = null;
  dir?.remove();
  dir = null;
});

describe('wuma station serves the local API', () => {
  it('--api-port 0 --api-token-file: JSON start line with the URL, token only in the 0600 file, UI and API answer, SIGTERM cleans up', async () => {
    dir = makeTempDir('wuma-station-cli-');
    const db = dir.file('line.db');
    const store = openStore(db, { checkpointer: false });
    addUser(store.db, { id: 'op1', name: '王师傅', role: 'operator', pin: '246810', badge: 'BADGE-OP-0001' }, 'admin');
    await store.close();
    // A station without devices (a line still being wired): it starts, idles and serves the API.
    const config = dir.file('station.json');
    writeFileSync(config, JSON.stringify({ station: { id: 'S9', line: 'L9' }, database: db, api: { host: '127.0.0.1', port: 1 } }));
    const tokenFile = dir.file('api-token');
    const spawnedAt = Date.now();
    child = spawn(NODE, [`${ROOT}bin/wuma.js`, 'station', '--config', config, '--api-port', '0', '--api-token-file', tokenFile, '--json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
    const deadline = Date.now() + 30_000;
    while (!out.includes('\n')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no start line (exit ${child.exitCode}): ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const started = JSON.parse(out.split('\n')[0]!) as { ok: boolean; readyMs: number; api: { url: string; port: number; tokenFile: string } };
    // Process start → serving, whole ms; bounded by the wall time this test has spent since the spawn.
    expect(Number.isInteger(started.readyMs) && started.readyMs > 0 && started.readyMs <= Date.now() - spawnedAt).toBe(true);
    expect(started.ok).toBe(true);
    // bin/wuma.js replaced itself (same pid) with the lean young generation the station runs with (issue 12).
    expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=2');
    expect(started.api.port).toBeGreaterThan(1); // --api-port wins over config api.port
    expect(started.api.tokenFile).toBe(tokenFile);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    const client = new ApiClient({ baseUrl: started.api.url, token });
    await client.call('login', { body: { method: 'badge', badge: 'BADGE-OP-0001' } });
    const status = await client.call('status');
    expect(status).toMatchObject({ source: 'station', running: false, batch: null });
    const page = await fetch(`${started.api.url}/`, { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child?.once('exit', resolve));
    expect(code).toBe(0);
    expect(existsSync(tokenFile)).toBe(false);
    expect(out + err).not.toContain(token);
  });
});
