import type { OptionSpec, ParsedCommand } from './command.ts';
import { UsageError } from './errors.ts';
import { splitHostPort } from '../domain/host-port.ts';

/** Where a device is reached, as given on the command line (`--tcp`, `--serial`, `--opcua`). */
export type DeviceEndpoint =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number }
  | { readonly kind: 'opcua'; readonly url: string };

export const ENDPOINT_OPTIONS: Readonly<Record<'tcp' | 'serial' | 'opcua', OptionSpec>> = {
  tcp: { type: 'string', value: 'HOST:PORT', description: 'TCP 地址 (TCP address), 例 192.168.1.50:9100' },
  serial: { type: 'string', value: 'PATH[,BAUD]', description: '串口 (serial port), 例 /dev/ttyUSB0,9600 (默认 9600)' },
  opcua: { type: 'string', value: 'URL', description: 'OPC UA 地址 (endpoint), 例 opc.tcp://192.168.1.10:4840' },
};

export const DEFAULT_BAUD = 9600;
const BAUDS = new Set([1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400]);

/**
 * Parses `HOST:PORT` (IPv6 in brackets); usage error naming the option otherwise. `minPort: 0` admits port 0
 * for an address we listen on (the OS picks a free port).
 */
export function parseHostPort(text: string, option = '--tcp', minPort: 0 | 1 = 1): { host: string; port: number } {
  const parts = splitHostPort(text, minPort);
  if (parts === null) throw new UsageError(`${option} 应为 主机:端口，例 127.0.0.1:9100，收到 "${text}" (${option} must be HOST:PORT)`);
  return parts;
}

/** Exactly one of --tcp, --serial, --opcua (those in `allowed`). */
export function endpointFromArgs(args: ParsedCommand, allowed: ReadonlyArray<DeviceEndpoint['kind']> = ['tcp', 'serial', 'opcua']): DeviceEndpoint {
  const given = allowed.filter((k) => typeof args.values[k] === 'string');
  if (given.length !== 1) {
    const list = allowed.map((k) => `--${k}`).join(' | ');
    throw new UsageError(given.length === 0 ? `需要连接地址: ${list} (an address is required)` : `只能给一个连接地址: ${list} (give exactly one address)`);
  }
  const kind = given[0] as DeviceEndpoint['kind'];
  const text = args.values[kind] as string;
  if (kind === 'tcp') return { kind, ...parseHostPort(text) };
  if (kind === 'opcua') {
    if (!/^opc\.tcp:\/\/[^\s/]+(:\d+)?(\/\S*)?$/.test(text)) throw new UsageError(`--opcua 应为 opc.tcp://主机:端口，收到 "${text}" (--opcua must be opc.tcp://HOST:PORT)`);
    return { kind, url: text };
  }
  const [path = '', baudText] = text.split(',');
  const baudRate = baudText === undefined ? DEFAULT_BAUD : Number(baudText);
  if (path.length === 0) throw new UsageError('--serial 缺少串口路径 (missing serial port path)');
  if (!BAUDS.has(baudRate)) throw new UsageError(`--serial 波特率不支持 "${baudText ?? ''}"，可选 ${[...BAUDS].join(', ')} (unsupported baud rate)`);
  return { kind, path, baudRate };
}

export function describeEndpoint(e: DeviceEndpoint): string {
  return e.kind === 'tcp' ? `tcp ${e.host}:${e.port}` : e.kind === 'serial' ? `serial ${e.path}@${e.baudRate}` : `opcua ${e.url}`;
}
