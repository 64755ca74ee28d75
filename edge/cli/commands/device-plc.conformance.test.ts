import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runWuma } from '../../../test/support/run-cli.ts';
import { startControlledPeer } from '../../../test/support/pymodbus.ts';
import { DEFAULT_REGISTER_MAP, startModbusPlcEmulator, type ModbusPlcEmulator } from '../../plc/index.ts';

const WUMA = join(import.meta.dirname, '..', '..', '..', 'bin', 'wuma.js');

describe('wuma device plc', () => {
  let emulator: ModbusPlcEmulator | null = null;
  afterEach(async () => { await emulator?.close(); emulator = null; });

  it('--pulse reject reports the confirm and its round trip (exit 0)', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 } });
    const r = await runWuma(['device', 'plc', '--driver', 'modbus-tcp', '--tcp', `127.0.0.1:${emulator.tcpPort}`, '--pulse', 'reject', '--reason', '42', '--json']);
    expect(r.code).toBe(0);
    const doc = r.json<{ ok: boolean; kind: string; elapsedMs: number; reason: number }>();
    expect(doc).toMatchObject({ ok: true, kind: 'confirmed', reason: 42 });
    expect(emulator.plc.snapshot().kicks).toEqual([{ sequence: 1, reason: 42 }]);
  });

  it('--pulse reject exits 1 and says so in Chinese when the kicker never confirms', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 }, confirm: { mode: 'never' } });
    const r = await runWuma(['device', 'plc', '--driver', 'modbus-tcp', '--tcp', `127.0.0.1:${emulator.tcpPort}`, '--pulse', 'reject', '--confirm-timeout', '100']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('剔除未确认');
  });

  it('--watch prints trigger advances including missed edges for a bounded time', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 } });
    const e = emulator;
    const timer = setTimeout(() => { e.plc.advanceTrigger(2); }, 300);
    const r = await runWuma(['device', 'plc', '--driver', 'modbus-tcp', '--tcp', `127.0.0.1:${e.tcpPort}`, '--watch', '--seconds', '1', '--json']);
    clearTimeout(timer);
    expect(r.code).toBe(0);
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { what?: string; value?: { advancedBy?: number } });
    expect(docs.find((d) => d.what === 'trigger')?.value?.advancedBy).toBe(2);
    expect(docs.some((d) => d.what === 'plcHeartbeat')).toBe(true);
  });

  it('a PLC that is not there is exit 1 with the address in the message', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 } });
    const dead = emulator.tcpPort!;
    await emulator.close();
    emulator = null;
    const r = await runWuma(['device', 'plc', '--driver', 'modbus-tcp', '--tcp', `127.0.0.1:${dead}`, '--pulse', 'reject']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${dead}`);
  });

  it.each([
    [['device', 'plc', '--tcp', '127.0.0.1:502', '--watch'], '--driver'],
    [['device', 'plc', '--driver', 'profibus', '--tcp', '127.0.0.1:502', '--watch'], 'profibus'],
    [['device', 'plc', '--driver', 'modbus-tcp', '--tcp', '127.0.0.1:502'], '--watch'],
    [['device', 'plc', '--driver', 'modbus-tcp', '--tcp', '127.0.0.1:502', '--watch', '--pulse', 'reject'], '--watch'],
    [['device', 'plc', '--driver', 'modbus-tcp', '--tcp', 'nohost', '--watch'], 'HOST:PORT'],
    [['device', 'plc', '--driver', 'modbus-rtu', '--serial', '/dev/ttyS0,12', '--watch'], '--serial'],
    [['device', 'plc', '--driver', 'modbus-tcp', '--tcp', '127.0.0.1:502', '--pulse', 'accept'], 'reject'],
    [['device', 'plc', '--driver', 'modbus-tcp', '--tcp', '127.0.0.1:502', '--pulse', 'reject', '--reason', '0'], '--reason'],
  ])('usage error (exit 2): %j', async (argv, mentions) => {
    const r = await runWuma(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(mentions);
  });
});

describe('wuma emulate plc', () => {
  it('serves Modbus TCP in its own process; device plc pulses it; control lines drive it', async () => {
    const peer = await startControlledPeer<{ port: number; unitId: number }>(process.execPath, [WUMA, 'emulate', 'plc', 'modbus', '--tcp', '127.0.0.1:0', '--json', '--control', '--confirm', '2']);
    try {
      expect(peer.ready.unitId).toBe(1);
      const r = await runWuma(['device', 'plc', '--driver', 'modbus-tcp', '--tcp', `127.0.0.1:${peer.ready.port}`, '--pulse', 'reject', '--reason', '5', '--json']);
      expect(r.json()).toMatchObject({ ok: true, kind: 'confirmed' });
      const snap = await peer.control<{ snapshot: { kicks: { reason: number }[] } }>({ op: 'snapshot' });
      expect(snap.snapshot.kicks.map((k) => k.reason)).toEqual([5]);
      expect(await peer.control({ op: 'fly' })).toMatchObject({ ok: false });
    } finally {
      await peer.close();
    }
  });

  it.each([
    [['emulate', 'plc'], 'modbus'],
    [['emulate', 'plc', 'modbus'], '--tcp'],
    [['emulate', 'plc', 'modbus', '--tcp', '127.0.0.1:0', '--fault', 'explode=1'], 'explode=1'],
    [['emulate', 'plc', 'modbus', '--tcp', '127.0.0.1:0', '--confirm', 'soon'], '--confirm'],
    [['emulate', 'plc', 'opcua', '--tcp', '127.0.0.1:0'], '--tcp'],
  ])('usage error (exit 2): %j', async (argv, mentions) => {
    const r = await runWuma(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(mentions);
  });
});
