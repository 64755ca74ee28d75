import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFORMANCE_TIMING, eventually } from '../plc-port.case.ts';
import { ModbusPlc } from '../drivers/modbus-plc.ts';
import { PlcError } from '../errors.ts';
import type { PlcEvent } from '../plc-port.ts';
import { DEFAULT_REGISTER_MAP } from '../register-map.ts';
import { startModbusPlcEmulator, type ModbusPlcEmulator } from './modbus-plc-emulator.ts';
import { openPtyPair, type PtyPair } from '../../../test/support/pty-pair.ts';

const run = promisify(execFile);

/** mbpoll prints one `[ref]: \tvalue` line per value; refs are 1-based unless -0 (mbpoll -h). */
function parseMbpoll(stdout: string): Map<number, number> {
  const values = new Map<number, number>();
  for (const m of stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)\s*$/gm)) values.set(Number(m[1]), Number(m[2]));
  return values;
}

describe('Modbus PLC emulator as seen by independent tools and under faults', () => {
  let emulator: ModbusPlcEmulator | null = null;
  let port: ModbusPlc | null = null;
  let pty: PtyPair | null = null;
  afterEach(async () => {
    await port?.close();
    await emulator?.close();
    await pty?.close();
    port = null; emulator = null; pty = null;
  });

  it('mbpoll (libmodbus) reads the register map over TCP with 1-based references', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 }, heartbeatMs: 0 });
    const plc = emulator.plc;
    plc.advanceTrigger(5);
    plc.holding[DEFAULT_REGISTER_MAP.holding.rejectConfirm] = 4;
    plc.coils[DEFAULT_REGISTER_MAP.coils.stackYellow] = 1;
    plc.holding[DEFAULT_REGISTER_MAP.holding.goodCount] = 0x0001;
    plc.holding[DEFAULT_REGISTER_MAP.holding.goodCount + 1] = 0x1171; // 70001, high word first
    const tcp = ['-m', 'tcp', '-a', '1', '-1', '-o', '2', '127.0.0.1', '-p', String(emulator.tcpPort)];
    const regs = parseMbpoll((await run('mbpoll', ['-r', '1', '-c', '4', ...tcp])).stdout);
    expect([...regs]).toEqual([[1, 5], [2, 4], [3, 0], [4, 6]]);
    const coils = parseMbpoll((await run('mbpoll', ['-t', '0', '-r', '1', '-c', '5', ...tcp])).stdout);
    expect([...coils.values()]).toEqual([0, 0, 1, 0, 0]);
    const good = parseMbpoll((await run('mbpoll', ['-t', '4:int', '-B', '-r', String(DEFAULT_REGISTER_MAP.holding.goodCount + 1), '-c', '1', ...tcp])).stdout);
    expect(good.get(DEFAULT_REGISTER_MAP.holding.goodCount + 1)).toBe(70_001);
  });

  it('mbpoll reads the same values over RTU through a socat pty', async () => {
    pty = await openPtyPair();
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, rtu: { path: pty.b, baudRate: 115_200 }, heartbeatMs: 0 });
    emulator.plc.advanceTrigger(9);
    const { stdout } = await run('mbpoll', ['-m', 'rtu', '-a', '1', '-b', '115200', '-P', 'none', '-r', '1', '-c', '4', '-1', '-o', '2', pty.a]);
    expect([...parseMbpoll(stdout)]).toEqual([[1, 9], [2, 0], [3, 0], [4, 6]]);
  });

  it('mbpoll writes to PackML state get exception 02 (read-only for the station)', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 }, heartbeatMs: 0 });
    const result = await run('mbpoll', ['-m', 'tcp', '-a', '1', '-r', String(DEFAULT_REGISTER_MAP.holding.packmlState + 1), '-1', '127.0.0.1', '-p', String(emulator.tcpPort), '9']).then(
      (r) => ({ ok: true, text: r.stdout + r.stderr }), (e: { stdout: string; stderr: string }) => ({ ok: false, text: e.stdout + e.stderr }));
    expect(result.ok).toBe(false);
    expect(result.text).toMatch(/Illegal data address/i);
    expect(emulator.plc.holding[DEFAULT_REGISTER_MAP.holding.packmlState]).toBe(6);
  });

  it('an exception response is a PLC_EXCEPTION error with the device code and keeps the link', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 } });
    port = new ModbusPlc({ link: { kind: 'tcp', host: '127.0.0.1', port: emulator.tcpPort! }, map: DEFAULT_REGISTER_MAP, timing: CONFORMANCE_TIMING });
    await port.connect();
    emulator.faults.exceptionNext = 1;
    emulator.faults.exceptionCode = 6;
    const error = await port.lineStop(true).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(PlcError);
    expect((error as PlcError).code).toBe('PLC_EXCEPTION');
    expect((error as PlcError).message).toContain('从站忙');
    await port.lineStop(true);
    expect(emulator.plc.snapshot().lineStop).toBe(true);
  });

  it('a dropped response times out, the link is reported lost and comes back by itself', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 } });
    port = new ModbusPlc({ link: { kind: 'tcp', host: '127.0.0.1', port: emulator.tcpPort! }, map: DEFAULT_REGISTER_MAP, timing: { ...CONFORMANCE_TIMING, requestTimeoutMs: 150 } });
    await port.connect();
    const events: PlcEvent[] = [];
    port.onEvent((e) => { events.push(e); });
    emulator.faults.dropNext = 1;
    await eventually(() => events.some((e) => e.kind === 'connection-lost'), 3_000, 'connection-lost');
    const lost = events.find((e) => e.kind === 'connection-lost');
    expect(lost?.kind === 'connection-lost' && (lost.error as PlcError).code).toBe('PLC_TIMEOUT');
    await eventually(() => events.some((e) => e.kind === 'connection-restored'), 3_000, 'connection-restored');
    expect((await port.pulseReject(3)).kind).toBe('confirmed');
  });

  it('garbage instead of a reply drops the link and recovers', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 } });
    port = new ModbusPlc({ link: { kind: 'tcp', host: '127.0.0.1', port: emulator.tcpPort! }, map: DEFAULT_REGISTER_MAP, timing: { ...CONFORMANCE_TIMING, requestTimeoutMs: 150 } });
    await port.connect();
    const events: PlcEvent[] = [];
    port.onEvent((e) => { events.push(e); });
    emulator.faults.garbageNext = 1;
    await eventually(() => events.some((e) => e.kind === 'connection-lost'), 3_000, 'connection-lost');
    await eventually(() => events.some((e) => e.kind === 'connection-restored'), 3_000, 'connection-restored');
    expect((await port.readStatus()).packml.name).toBe('Execute');
  });

  it('a PLC restart is a lost link, then a trigger-resync (edges in the gap are unknown), never a fake trigger burst', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 } });
    emulator.plc.advanceTrigger(40);
    port = new ModbusPlc({ link: { kind: 'tcp', host: '127.0.0.1', port: emulator.tcpPort! }, map: DEFAULT_REGISTER_MAP, timing: CONFORMANCE_TIMING });
    await port.connect();
    const events: PlcEvent[] = [];
    port.onEvent((e) => { events.push(e); });
    emulator.restart();
    await eventually(() => events.some((e) => e.kind === 'trigger-resync'), 3_000, 'trigger-resync');
    expect(events.find((e) => e.kind === 'trigger-resync')).toEqual({ kind: 'trigger-resync', previous: 40, current: 0 });
    expect(events.filter((e) => e.kind === 'trigger')).toEqual([]);
    emulator.plc.advanceTrigger(1);
    await eventually(() => events.some((e) => e.kind === 'trigger'), 2_000, 'trigger after restart');
  });

  it('connect to a closed port fails with PLC_OFFLINE and a Chinese message naming the address', async () => {
    emulator = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 } });
    const deadPort = emulator.tcpPort!;
    await emulator.close();
    emulator = null;
    port = new ModbusPlc({ link: { kind: 'tcp', host: '127.0.0.1', port: deadPort }, map: DEFAULT_REGISTER_MAP, timing: CONFORMANCE_TIMING });
    const error = await port.connect().then(() => null, (e: unknown) => e);
    expect((error as PlcError).code).toBe('PLC_OFFLINE');
    expect((error as PlcError).message).toContain(`无法连接 PLC 127.0.0.1:${deadPort}`);
  });
});
