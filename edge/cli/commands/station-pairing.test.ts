import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWuma } from '../../../test/support/run-cli.ts';
import { makeTempDir, type TempDir } from '../../../test/support/temp-dir.ts';

let dir: TempDir;
beforeEach(() => { dir = makeTempDir(); });
afterEach(() => dir.remove());

const config = {
  mode: 'pairing', station: { id: 'CAP-P1', line: 'P1' },
  pairing: {
    innerPackage: '00000000-0000-4000-8000-000000000001', outerPackage: '00000000-0000-4000-8000-000000000002',
    innerReader: { driver: 'keyence', tcp: '127.0.0.1:9004' }, outerReader: { driver: 'cognex', tcp: '127.0.0.1:2323' },
  },
  plc: { driver: 'modbus-tcp', tcp: '127.0.0.1:1502' },
};

describe('wuma station --config with mode "pairing"', () => {
  it('--check validates against the pairing schema and prints the summary', async () => {
    writeFileSync(dir.file('pairing.json'), JSON.stringify(config));
    const r = await runWuma(['station', '--config', dir.file('pairing.json'), '--check', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, config: { mode: 'pairing', pairing: { innerReader: 'keyence @ 127.0.0.1:9004', readTimeoutMs: 800 } } });
  });

  it('a bad field or an unknown reader driver fails with its path', async () => {
    writeFileSync(dir.file('bad.json'), JSON.stringify({ ...config, pairing: { ...config.pairing, readTimeoutMs: 5 } }));
    const bad = await runWuma(['station', '--config', dir.file('bad.json'), '--check']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/pairing\.readTimeoutMs: 应≥ 50/);
    writeFileSync(dir.file('drv.json'), JSON.stringify({ ...config, pairing: { ...config.pairing, outerReader: { driver: 'kognex', tcp: '127.0.0.1:23' } } }));
    const drv = await runWuma(['station', '--config', dir.file('drv.json'), '--check']);
    expect(drv.code).toBe(1);
    expect(drv.stderr).toMatch(/pairing\.outerReader\.driver/);
    writeFileSync(dir.file('syntax.json'), '{ "mode": "pairing", }');
    const syntax = await runWuma(['station', '--config', dir.file('syntax.json'), '--check']);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/JSON 语法错误 第 1 行/);
  });
});
