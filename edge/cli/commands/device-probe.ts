import { choiceOption, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { describeEndpoint, endpointFromArgs, ENDPOINT_OPTIONS } from '../endpoint-options.ts';
import { UsageError } from '../errors.ts';
import { PRINTER_KINDS, probePrinter, type PrinterKind } from '../../../printers/index.ts';
import { READER_KINDS, probeReader, type ReaderKind } from '../../../scanners/index.ts';
import { DEFAULT_OPCUA_TAGS, DEFAULT_REGISTER_MAP, openPlc, type PlcConnection, type PlcDriverKind } from '../../plc/index.ts';
import type { DeviceEndpoint } from '../endpoint-options.ts';

type DeviceClass = 'printer' | 'reader' | 'plc';
const PLC_KINDS: readonly PlcDriverKind[] = ['modbus-tcp', 'modbus-rtu', 'opcua'];

function plcConnection(driver: PlcDriverKind, endpoint: DeviceEndpoint): PlcConnection {
  if (driver === 'modbus-tcp' && endpoint.kind === 'tcp') return { driver, host: endpoint.host, port: endpoint.port, map: DEFAULT_REGISTER_MAP };
  if (driver === 'modbus-rtu' && endpoint.kind === 'serial') return { driver, path: endpoint.path, baudRate: endpoint.baudRate, map: DEFAULT_REGISTER_MAP };
  if (driver === 'opcua' && endpoint.kind === 'opcua') return { driver, endpointUrl: endpoint.url, tags: DEFAULT_OPCUA_TAGS };
  throw new UsageError(`PLC 驱动 ${driver} 需要 ${driver === 'modbus-tcp' ? '--tcp' : driver === 'modbus-rtu' ? '--serial' : '--opcua'} (wrong address kind for ${driver})`);
}

/** Connects, reads the PLC's status (trigger counter, heartbeat, PackML state), disconnects. Never throws. */
async function probePlc(connection: PlcConnection): Promise<{ ok: true; status: unknown; elapsedMs: number } | { ok: false; code: string; reason: string; elapsedMs: number }> {
  const started = Date.now();
  const plc = openPlc({ ...connection, timing: { ...connection.timing } });
  try {
    await plc.connect();
    const status = await plc.readStatus();
    return { ok: true, status, elapsedMs: Date.now() - started };
  } catch (error) {
    const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'PLC_OFFLINE';
    return { ok: false, code, reason: error instanceof Error ? error.message : String(error), elapsedMs: Date.now() - started };
  } finally {
    await plc.close().catch(() => undefined);
  }
}

/** Which device class a driver name belongs to; a name several classes use (`text`, `opcua`) needs --device. */
function classify(driver: string, device: DeviceClass | undefined): DeviceClass {
  const classes: DeviceClass[] = [];
  if ((PRINTER_KINDS as readonly string[]).includes(driver)) classes.push('printer');
  if ((READER_KINDS as readonly string[]).includes(driver)) classes.push('reader');
  if ((PLC_KINDS as readonly string[]).includes(driver)) classes.push('plc');
  if (device !== undefined && classes.includes(device)) return device;
  if (device === undefined && classes.length === 1 && classes[0] !== undefined) return classes[0];
  if (device === undefined && classes.length > 1) {
    throw new UsageError(`驱动 ${driver} 可用于 ${classes.join(' / ')}，请加 --device ${classes.join('|')} (ambiguous driver: add --device)`);
  }
  throw new UsageError(`未知驱动 "${driver}"${device ? `（${device}）` : ''}。打印机: ${PRINTER_KINDS.join(' | ')}；读码器: ${READER_KINDS.join(' | ')}；PLC: ${PLC_KINDS.join(' | ')} (unknown driver)`);
}

export const command: CommandSpec = {
  path: ['device', 'probe'],
  summary: '连接设备，报告状态和身份 (connect to a device, report its status and identity)',
  usesDb: false,
  options: {
    driver: { type: 'string', value: 'KIND', description: `驱动 (driver): ${[...new Set([...PRINTER_KINDS, ...READER_KINDS, ...PLC_KINDS])].join(' | ')}` },
    device: { type: 'string', value: 'printer|reader|plc', description: '设备类别，驱动名有歧义时需要 (device class, for ambiguous drivers such as text, opcua)' },
    ...ENDPOINT_OPTIONS,
  },
  details: '例 (examples):\n  wuma device probe --driver zpl --tcp 192.168.1.50:9100\n  wuma device probe --driver keyence --tcp 192.168.1.60:9004\n  wuma device probe --driver text --device reader --serial /dev/ttyUSB0,115200\nPLC:    wuma device probe --driver modbus-tcp --tcp 192.168.10.10:502',
  async run(ctx, args) {
    const driver = requireString(args, 'driver');
    const device = args.values['device'] === undefined ? undefined : choiceOption<DeviceClass>(args, 'device', ['printer', 'reader', 'plc']);
    const cls = classify(driver, device);
    const endpoint = endpointFromArgs(args);
    const where = describeEndpoint(endpoint);
    if (cls === 'plc') {
      const r = await probePlc(plcConnection(driver as PlcDriverKind, endpoint));
      if (ctx.json) ctx.printJson({ device: 'plc', kind: driver, endpoint: where, ...r });
      else if (r.ok) ctx.print(`✔ PLC ${driver} @ ${where} 在线 (online): ${JSON.stringify(r.status)}，用时 ${r.elapsedMs} ms`);
      else ctx.print(`✘ PLC ${driver} @ ${where} 不可用 (unavailable) [${r.code}]: ${r.reason}`);
      return r.ok ? 0 : 1;
    }
    if (cls === 'printer') {
      const r = await probePrinter({ kind: driver as PrinterKind, endpoint });
      if (ctx.json) ctx.printJson({ device: 'printer', ...r });
      else if (r.ok) ctx.print(`✔ 打印机 ${driver} @ ${where} 在线 (online): ${JSON.stringify(r.status)}，用时 ${r.elapsedMs} ms`);
      else ctx.print(`✘ 打印机 ${driver} @ ${where} 不可用 (unavailable) [${r.code}]: ${r.reason}`);
      return r.ok ? 0 : 1;
    }
    const r = await probeReader({ kind: driver as ReaderKind, endpoint });
    if (ctx.json) ctx.printJson({ device: 'reader', endpoint: where, ...r });
    else if (r.ok) ctx.print(`✔ 读码器 ${driver} @ ${where} 在线 (online): ${JSON.stringify(r.identity)}，用时 ${r.elapsedMs} ms`);
    else ctx.print(`✘ 读码器 ${driver} @ ${where} 不可用 (unavailable) [${r.code}]: ${r.reason}`);
    return r.ok ? 0 : 1;
  },
};
