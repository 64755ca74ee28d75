import { describe, expect, it } from 'vitest';
import { PRINTER_EMULATORS } from '../../../printers/index.ts';
import { DEFAULT_REGISTER_MAP, startModbusPlcEmulator } from '../../plc/index.ts';
import { runWuma } from '../../../test/support/run-cli.ts';

describe('wuma device probe', () => {
  it('reports a ZPL printer emulator on 127.0.0.1 as online', async () => {
    const emulator = PRINTER_EMULATORS.zpl();
    const { port } = await emulator.listenTcp('127.0.0.1', 0);
    try {
      const r = await runWuma(['device', 'probe', '--driver', 'zpl', '--tcp', `127.0.0.1:${port}`, '--json']);
      expect(r.code).toBe(0);
      expect(r.json()).toMatchObject({ device: 'printer', ok: true, kind: 'zpl' });
    } finally {
      await emulator.close();
    }
  });

  it('reads a Modbus PLC emulator\'s status', async () => {
    const emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 } });
    try {
      const r = await runWuma(['device', 'probe', '--driver', 'modbus-tcp', '--tcp', `127.0.0.1:${emulator.tcpPort}`, '--json']);
      expect(r.code).toBe(0);
      expect(r.json()).toMatchObject({ device: 'plc', ok: true, status: { triggerCounter: expect.any(Number) } });
      const wrong = await runWuma(['device', 'probe', '--driver', 'modbus-tcp', '--serial', '/dev/null']);
      expect(wrong.code).toBe(2);
    } finally {
      await emulator.close();
    }
  });

  it('exits 1 with a reason when nothing listens', async () => {
    const emulator = PRINTER_EMULATORS.zpl();
    const { port } = await emulator.listenTcp('127.0.0.1', 0);
    await emulator.close();
    const r = await runWuma(['device', 'probe', '--driver', 'zpl', '--tcp', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('不可用');
  });

  it('refuses ambiguous drivers, bad addresses and two addresses with exit 2', async () => {
    expect((await runWuma(['device', 'probe', '--driver', 'text', '--tcp', '127.0.0.1:9'])).code).toBe(2);
    const opcua = await runWuma(['device', 'probe', '--driver', 'opcua', '--opcua', 'opc.tcp://127.0.0.1:9']);
    expect(opcua.code).toBe(2);
    expect(opcua.stderr).toContain('printer|reader|plc');
    const bad = await runWuma(['device', 'probe', '--driver', 'zpl', '--tcp', 'localhost']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tcp');
    expect((await runWuma(['device', 'probe', '--driver', 'zpl', '--tcp', '127.0.0.1:9', '--serial', '/dev/null'])).code).toBe(2);
    expect((await runWuma(['device', 'probe', '--driver', 'nope', '--tcp', '127.0.0.1:9'])).code).toBe(2);
    expect((await runWuma(['device', 'probe', '--driver', 'zpl', '--serial', '/dev/x,12345'])).code).toBe(2);
  });
});
