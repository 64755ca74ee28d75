import { statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { edgeProcessSpec, newApiToken, readEdgeRecord, readTokenFile, writeEdgeRecord, writeSecretFile } from './edge-launch.ts';

describe('edge launch', () => {
  let dir: TempDir;
  beforeEach(() => { dir = makeTempDir('wuma-launch-'); });
  afterEach(() => dir.remove());

  const base = { appRoot: '/opt/wuma/resources/app.asar', port: 8710, tokenFile: '/d/edge/api-token', cwd: '/d', logFile: '/d/logs/edge.log' };

  it('runs bin/wuma.js on Electron-as-Node inside the app, or on a given Node', () => {
    expect(edgeProcessSpec({ ...base, mode: { kind: 'station', config: '/d/station.json' }, execPath: '/opt/wuma/wuma', isElectron: true })).toEqual({
      command: '/opt/wuma/wuma',
      args: ['/opt/wuma/resources/app.asar/bin/wuma.js', 'station', '--config', '/d/station.json', '--api-port', '8710', '--api-token-file', '/d/edge/api-token'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
      cwd: '/d',
      logFile: '/d/logs/edge.log',
    });
    const demo = edgeProcessSpec({ ...base, mode: { kind: 'demo' }, execPath: '/opt/wuma/wuma', isElectron: true, nodeOverride: '/usr/local/bin/node' });
    expect(demo.command).toBe('/usr/local/bin/node');
    expect(demo.args.slice(1, 2)).toEqual(['demo']);
    expect(demo.env).toEqual({});
  });

  it('makes 256-bit tokens and keeps them in a file only this user can read', () => {
    const token = newApiToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newApiToken()).not.toBe(token);
    const file = dir.file('api-token');
    writeSecretFile(file, token);
    expect(readTokenFile(file)).toBe(token);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, '\n');
    expect(() => readTokenFile(file)).toThrow(/令牌文件为空/);
  });

  it('records the running edge for the next shell and ignores a damaged record', () => {
    const file = dir.file('edge.json');
    expect(readEdgeRecord(file)).toBeNull();
    writeEdgeRecord(file, { pid: 4242, port: 8710, tokenFile: '/d/edge/api-token' });
    expect(readEdgeRecord(file)).toEqual({ pid: 4242, port: 8710, tokenFile: '/d/edge/api-token' });
    writeFileSync(file, '{"pid":"x"}');
    expect(readEdgeRecord(file)).toBeNull();
    writeFileSync(file, 'not json');
    expect(readEdgeRecord(file)).toBeNull();
  });
});
