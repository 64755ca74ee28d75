/** `wuma receiver` as a real child process: --help, usage errors, listening on port 0, clean SIGTERM shutdown. */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const NODE = 'node_modules/.bin/node';
let dir: TempDir | undefined;

afterEach(() => {
  dir?.remove();
  dir = undefined;
});

describe('wuma receiver', () => {
  it('prints help and rejects bad arguments with exit 2', () => {
    const help = spawnSync(NODE, ['bin/wuma.js', 'receiver', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--max-events');
    const bad = spawnSync(NODE, ['bin/wuma.js', 'receiver', '--port', 'eighty', '--db', '/tmp/x.db'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--port');
    const short = spawnSync(NODE, ['bin/wuma.js', 'receiver', '--port', '0', '--token', 'abc'], { encoding: 'utf8' });
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('--token');
  });

  it('listens on a free port, enforces its token and limits, and stops on SIGTERM', async () => {
    dir = makeTempDir();
    const child = spawn(NODE, ['bin/wuma.js', 'receiver', '--port', '0', '--db', dir.file('hq.db'), '--token', 'tok-123456', '--max-events', '7', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout });
        rl.once('line', (l) => { rl.close(); resolve(l); });
        child.once('exit', () => reject(new Error('receiver exited before listening')));
      });
      const info = JSON.parse(line) as { ok: boolean; url: string; limits: { maxEvents: number } };
      expect(info.ok).toBe(true);
      expect(info.limits.maxEvents).toBe(7);
      const opts = await fetch(`${info.url}/capture`, { method: 'OPTIONS', headers: { Authorization: 'Bearer tok-123456' } });
      expect(opts.status).toBe(204);
      expect(opts.headers.get('gs1-epcis-capture-limit')).toBe('7');
      expect((await fetch(`${info.url}/conflicts`)).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
