import { PRINTER_KINDS, type PrinterConfig, type PrinterKind } from '../../printers/index.ts';
import { READER_KINDS, type ReaderConfig, type ReaderEndpoint, type ReaderKind } from '../../scanners/index.ts';
import type { DeviceConfig, StationConfig } from '../config/station-config.ts';
import { PlcConfigError } from '../plc/errors.ts';
import type { PlcConnection } from '../plc/open-plc.ts';
import { parseOpcuaTagMap } from '../plc/opcua-tag-map.ts';
import { parseRegisterMap } from '../plc/register-map.ts';
import { StationConfigError } from './station-errors.ts';
import { splitHostPort } from '../domain/host-port.ts';

/**
 * Translates the validated station config (edge/config) into the driver configs of printers/, scanners/ and the
 * PLC. Pure translation: nothing is constructed here (edge/main.ts is the composition root). Errors name the
 * config field (`case.camera.driver`).
 */


function hostPort(path: string, text: string): { host: string; port: number } {
  const parts = splitHostPort(text);
  if (parts === null) throw new StationConfigError(path, `应为 主机:端口（端口 1–65535），收到 "${text}" (must be HOST:PORT, port 1–65535)`);
  return parts;
}

function serial(text: string): { path: string; baudRate: number } {
  const [path = '', baud] = text.split(',');
  return { path, baudRate: baud === undefined ? 9600 : Number(baud) };
}

/** Vendor options as drivers take them: strings, numbers and booleans only. */
function vendorOptions(path: string, options: DeviceConfig['options'], skip: readonly string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(options ?? {})) {
    if (skip.includes(k)) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new StationConfigError(`${path}.options.${k}`, `选项值应为字符串、数字或布尔值 (option values must be strings, numbers or booleans)`);
    }
    out[k] = v;
  }
  return out;
}

/**
 * A reader's driver config. `options.separator` (default `,`) splits multi-code reads; `multi: true` is implied
 * for the case camera. Other options go to the driver as vendor options.
 */
export function readerConfigOf(path: string, device: DeviceConfig, timeoutMs: number): ReaderConfig {
  if (!(READER_KINDS as readonly string[]).includes(device.driver)) {
    throw new StationConfigError(`${path}.driver`, `未知的读码器驱动 "${device.driver}"，可选: ${READER_KINDS.join(' | ')} (unknown reader driver)`);
  }
  const kind = device.driver as ReaderKind;
  let endpoint: ReaderEndpoint;
  if (device.tcp !== undefined) endpoint = { kind: 'tcp', ...hostPort(`${path}.tcp`, device.tcp) };
  else if (device.listen !== undefined) endpoint = { kind: 'tcp-listen', ...hostPort(`${path}.listen`, device.listen) };
  else if (device.serial !== undefined) endpoint = { kind: 'serial', ...serial(device.serial) };
  else if (device.opcua !== undefined) endpoint = { kind: 'opcua', url: device.opcua };
  else throw new StationConfigError(path, '需要 tcp、listen、serial 或 opcua 地址 (an address is required)');
  const separator = device.options?.['separator'];
  if (separator !== undefined && typeof separator !== 'string') throw new StationConfigError(`${path}.options.separator`, '分隔符应为字符串 (separator must be a string)');
  return {
    kind, endpoint, triggerTimeoutMs: timeoutMs,
    multi: { separator: separator ?? ',' },
    options: vendorOptions(path, device.options, ['separator']),
  };
}

export function printerConfigOf(path: string, device: DeviceConfig): PrinterConfig {
  if (!(PRINTER_KINDS as readonly string[]).includes(device.driver)) {
    throw new StationConfigError(`${path}.driver`, `未知的打印机驱动 "${device.driver}"，可选: ${PRINTER_KINDS.join(' | ')} (unknown printer driver)`);
  }
  let endpoint: PrinterConfig['endpoint'];
  if (device.tcp !== undefined) endpoint = { kind: 'tcp', ...hostPort(`${path}.tcp`, device.tcp) };
  else if (device.serial !== undefined) endpoint = { kind: 'serial', ...serial(device.serial) };
  else if (device.opcua !== undefined) endpoint = { kind: 'opcua', url: device.opcua };
  else throw new StationConfigError(path, '打印机需要 tcp、serial 或 opcua 地址 (a printer needs a tcp, serial or opcua address)');
  return { kind: device.driver as PrinterKind, endpoint, ...(device.options === undefined ? {} : { options: device.options }) };
}

export interface PlcLinkConfig {
  /** What `openPlc` takes (timing is added by the composition root). */
  readonly connection: PlcConnection;
  readonly rejectConfirmTimeoutMs: number;
}

/** Config translation per PLC driver (a map, STYLE.md "Shape"). */
const PLC_CONNECTIONS: { readonly [K in PlcConnection['driver']]: (plc: NonNullable<StationConfig['plc']>) => PlcConnection } = {
  'modbus-tcp': (plc) => {
    if (plc.tcp === undefined) throw new StationConfigError('plc.tcp', 'modbus-tcp 需要 tcp 地址 (modbus-tcp needs plc.tcp)');
    return { driver: 'modbus-tcp', ...hostPort('plc.tcp', plc.tcp), map: registerMapOf(plc) };
  },
  'modbus-rtu': (plc) => {
    if (plc.serial === undefined) throw new StationConfigError('plc.serial', 'modbus-rtu 需要 serial 地址 (modbus-rtu needs plc.serial)');
    return { driver: 'modbus-rtu', ...serial(plc.serial), map: registerMapOf(plc) };
  },
  opcua: (plc) => {
    if (plc.opcua === undefined) throw new StationConfigError('plc.opcua', 'opcua 需要 OPC UA 地址，如 opc.tcp://192.168.0.10:4840 (opcua needs plc.opcua)');
    try {
      return { driver: 'opcua', endpointUrl: plc.opcua, tags: parseOpcuaTagMap(plc.tags, 'plc.tags') };
    } catch (error) {
      if (error instanceof PlcConfigError) throw new StationConfigError('plc.tags', error.message.replace(/^plc\.tags: /, ''));
      throw error;
    }
  },
};

function registerMapOf(plc: NonNullable<StationConfig['plc']>): ReturnType<typeof parseRegisterMap> {
  return parseRegisterMap({ ...(plc.registers ?? {}), unitId: plc.unitId === 0 ? 1 : plc.unitId }, 'plc.registers');
}

/**
 * The PLC connection for `openPlc`: Modbus TCP/RTU (unit id from `plc.unitId`, addresses from `plc.registers`) or
 * OPC UA (endpoint `plc.opcua`, node identifiers from `plc.tags`, defaults DEFAULT_OPCUA_TAGS).
 */
export function plcConfigOf(plc: NonNullable<StationConfig['plc']>): PlcLinkConfig {
  return { connection: PLC_CONNECTIONS[plc.driver](plc), rejectConfirmTimeoutMs: plc.rejectConfirmTimeoutMs };
}

/** One line per device for `wuma station --check` and the start-up log. */
export function describeDevice(device: DeviceConfig): string {
  const where = device.tcp ?? (device.listen === undefined ? undefined : `listen ${device.listen}`) ?? device.serial ?? device.opcua ?? '?';
  return `${device.driver} @ ${where}`;
}
