import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { ConfigError, loadConfig, parseConfig } from './load-config.ts';

let dir: TempDir;
beforeEach(() => { dir = makeTempDir(); });
afterEach(() => { dir.remove(); });

function errorsOf(raw: unknown): Array<{ path: string; message: string }> {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).errors];
  }
  throw new Error('expected the config to be refused');
}

describe('station config', () => {
  it('accepts the commented example from the README and fills defaults, frozen', () => {
    const config = loadConfig('edge/config/station.example.json');
    expect(config.station.id).toBe('L1');
    expect(config.case?.caseCode.mode).toBe('read');
    expect(Object.isFrozen(config.case?.camera)).toBe(true);
    const minimal = parseConfig({ station: { id: 'L2', line: 'L2' } });
    expect(minimal.database).toBe('./data/wuma.db');
  });

  it('names every bad field by its path', () => {
    const errors = errorsOf({
      station: { id: 'bad id', line: 'L1', colour: 'red' },
      plc: { driver: 'profinet' },
      api: { port: 70000 },
      case: { camera: { driver: 'cognex', tcp: 'no-port' }, caseCode: { mode: 'read', reader: { driver: 'keyence', tcp: '10.0.0.1:9004' } } },
    });
    const paths = errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['station.id', 'station.colour', 'plc.driver', 'api.port', 'case.camera.tcp']));
    expect(errors.find((e) => e.path === 'station.colour')?.message).toContain('未知的配置项');
    expect(errors.find((e) => e.path === 'plc.driver')?.message).toContain('modbus-tcp');
  });

  it('requires exactly one address per device', () => {
    const errors = errorsOf({ station: { id: 'L1', line: 'L1' }, pallet: { reader: { driver: 'x' }, printer: { driver: 'zpl', tcp: '1.2.3.4:9100', serial: '/dev/ttyS0' }, verifier: { driver: 'y', tcp: '1.2.3.4:1' } } });
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['pallet.reader', 'pallet.printer']));
  });

  it('reports a missing section member and a JSON syntax error with line and column', () => {
    expect(errorsOf({ station: { line: 'L1' } }).map((e) => e.path)).toEqual(['station.id']);
    const file = dir.file('bad.json');
    writeFileSync(file, '{\n  "station": { "id": "L1", "line": "L1" },\n  "database": \n}\n');
    expect(() => loadConfig(file)).toThrow(/第 4 行/);
    expect(() => loadConfig(dir.file('missing.json'))).toThrow(/无法读取/);
  });
});
