import { ModbusPlc } from './drivers/modbus-plc.ts';
import { OpcuaPlc } from './drivers/opcua-plc.ts';
import type { OpcuaTagMap } from './opcua-tag-map.ts';
import type { PlcDriverKind, PlcPort, PlcTiming } from './plc-port.ts';
import type { ModbusRegisterMap } from './register-map.ts';

/** What a station config names to reach its PLC. */
export type PlcConnection =
  | { readonly driver: 'modbus-tcp'; readonly host: string; readonly port: number; readonly map: ModbusRegisterMap; readonly timing?: Partial<PlcTiming> }
  | { readonly driver: 'modbus-rtu'; readonly path: string; readonly baudRate: number; readonly map: ModbusRegisterMap; readonly timing?: Partial<PlcTiming> }
  | { readonly driver: 'opcua'; readonly endpointUrl: string; readonly tags: OpcuaTagMap; readonly timing?: Partial<PlcTiming> };

type Factory<K extends PlcDriverKind> = (c: Extract<PlcConnection, { driver: K }>) => PlcPort;

/** Drivers register in a map (STYLE.md "Shape"), never an if/else chain. */
const DRIVERS: { readonly [K in PlcDriverKind]: Factory<K> } = {
  'modbus-tcp': (c) => new ModbusPlc({ link: { kind: 'tcp', host: c.host, port: c.port }, map: c.map, ...(c.timing ? { timing: c.timing } : {}) }),
  'modbus-rtu': (c) => new ModbusPlc({ link: { kind: 'rtu', path: c.path, baudRate: c.baudRate }, map: c.map, ...(c.timing ? { timing: c.timing } : {}) }),
  opcua: (c) => new OpcuaPlc({ endpointUrl: c.endpointUrl, tags: c.tags, ...(c.timing ? { timing: c.timing } : {}) }),
};

/** Builds the driver for a connection (not yet connected: call `connect()`). */
export function openPlc(connection: PlcConnection): PlcPort {
  const factory = DRIVERS[connection.driver] as Factory<PlcDriverKind>;
  return factory(connection as never);
}
