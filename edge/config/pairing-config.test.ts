import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { ConfigError, loadConfig } from './load-config.ts';
import { configMode, loadPairingConfig, pairingSourceKind, parsePairingConfig } from './pairing-config.ts';
import { readConfigJson } from './load-config.ts';

let dir: TempDir;
beforeEach(() => { dir = makeTempDir(); });
afterEach(() => dir.remove());

const good = {
  mode: 'pairing',
  station: { id: 'CAP-P1', line: 'P1' },
  pairing: {
    innerPackage: '00000000-0000-4000-8000-000000000001', outerPackage: '00000000-0000-4000-8000-000000000002',
    innerReader: { driver: 'keyence', tcp: '127.0.0.1:9004' }, outerReader: { driver: 'cognex', tcp: '127.0.0.1:23' },
  },
  plc: { driver: 'modbus-tcp', tcp: '127.0.0.1:502' },
};

function errorsOf(raw: unknown): { path: string; message: string }[] {
  try {
    parsePairingConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.errors];
    throw error;
  }
  return [];
}

describe('pairing config', () => {
  it('the example parses, defaults filled, frozen; mode tells it apart from a line config', () => {
    const raw = readConfigJson(new URL('./pairing.example.json', import.meta.url).pathname);
    expect(configMode(raw)).toBe('pairing');
    const c = loadPairingConfig(new URL('./pairing.example.json', import.meta.url).pathname);
    expect(c.pairing.readTimeoutMs).toBe(800);
    expect(c.database).toBe('./data/supplier.db');
    expect(c.plc.unitId).toBe(1);
    expect(Object.isFrozen(c.pairing)).toBe(true);
    expect(configMode({ station: {} })).toBe('line');
  });

  it('every bad field is named by its path', () => {
    expect(errorsOf({ ...good, mode: 'case' }).map((e) => e.path)).toContain('mode');
    expect(errorsOf({ ...good, pairing: { ...good.pairing, innerPackage: 'caps-1' } })).toEqual([{ path: 'pairing.innerPackage', message: expect.stringMatching(/格式不对.*caps-1/) }]);
    const noAddress = errorsOf({ ...good, pairing: { ...good.pairing, outerReader: { driver: 'cognex' } } });
    expect(noAddress.length).toBeGreaterThan(0);
    expect(noAddress.every((e) => e.path.startsWith('pairing.outerReader'))).toBe(true);
    expect(errorsOf({ ...good, pairing: { ...good.pairing, innerReadr: {} } }).map((e) => e.path)).toContain('pairing.innerReadr');
    const { plc: _plc, ...noPlc } = good;
    expect(errorsOf(noPlc)).toEqual([{ path: 'plc', message: expect.stringMatching(/缺少必填项/) }]);
    expect(errorsOf({ ...good, plc: { driver: 'modbus-tcp', tcp: 'plc-no-port' } }).map((e) => e.path)).toEqual(['plc.tcp']);
  });

  it('one camera, or an inner reader with a printer of the outer code, instead of two readers; mixes are named', () => {
    const { innerReader, outerReader } = good.pairing;
    const base = { innerPackage: good.pairing.innerPackage, outerPackage: good.pairing.outerPackage };
    const camera = parsePairingConfig({ ...good, pairing: { ...base, camera: { driver: 'keyence', tcp: '127.0.0.1:9004' } } });
    expect(pairingSourceKind(camera.pairing)).toBe('one-camera');
    const print = parsePairingConfig({ ...good, pairing: { ...base, innerReader, outerPrinter: { driver: 'videojet', tcp: '127.0.0.1:3001' } } });
    expect(pairingSourceKind(print.pairing)).toBe('print');
    expect(print.pairing.printConfirmTimeoutMs).toBe(2000);
    expect(pairingSourceKind(parsePairingConfig(good).pairing)).toBe('two-readers');
    expect(errorsOf({ ...good, pairing: { ...good.pairing, camera: { driver: 'keyence', tcp: '127.0.0.1:9004' } } })).toEqual([{ path: 'pairing.innerReader', message: expect.stringMatching(/单相机模式/) }]);
    expect(errorsOf({ ...good, pairing: { ...good.pairing, outerPrinter: { driver: 'zpl', tcp: '127.0.0.1:9100' } } })).toEqual([{ path: 'pairing.outerReader', message: expect.stringMatching(/打印外码模式/) }]);
    expect(errorsOf({ ...good, pairing: { ...base, outerReader } })).toEqual([{ path: 'pairing.innerReader', message: expect.stringMatching(/缺少必填项/) }]);
    expect(errorsOf({ ...good, pairing: { ...base, innerReader } })).toEqual([{ path: 'pairing.outerReader', message: expect.stringMatching(/缺少必填项/) }]);
    expect(errorsOf({ ...good, pairing: { ...base, innerReader, outerPrinter: { driver: 'zpl', tcp: '127.0.0.1:9100' }, printConfirmTimeoutMs: 10 } }).map((e) => e.path)).toEqual(['pairing.printConfirmTimeoutMs']);
  });

  it('a pairing config given to the line loader is refused, not half-read', () => {
    writeFileSync(dir.file('p.json'), JSON.stringify(good));
    expect(() => loadConfig(dir.file('p.json'))).toThrow(ConfigError);
  });
});
