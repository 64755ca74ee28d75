import type { Reader, ReaderConfig, ReaderKind } from '../contract.ts';
import { ReaderConfigError } from '../errors.ts';
import { connectEndpoint } from '../transport/connect-endpoint.ts';
import { cognexDialect } from './cognex-dmcc.ts';
import { hikrobotDialect } from './hikrobot-id.ts';
import { keyenceDialect } from './keyence-sr.ts';
import { checkMultiSeparator, type LineDialect } from './line-dialect.ts';
import { LineReader } from './line-reader.ts';
import { OpcuaAutoIdReader } from './opcua-autoid.ts';
import { serialHandheldDialect } from './serial-handheld.ts';
import { textDialect } from './text-reader.ts';

/** Which endpoint kinds each driver accepts. */
export const READER_ENDPOINTS: Readonly<Record<ReaderKind, readonly ReaderConfig['endpoint']['kind'][]>> = {
  cognex: ['tcp', 'serial'],
  keyence: ['tcp', 'serial'],
  hikrobot: ['tcp', 'tcp-listen', 'serial'],
  text: ['tcp', 'tcp-listen', 'serial'],
  serial: ['serial', 'tcp'],
  opcua: ['opcua'],
};

function lineDriver(dialect: (config: ReaderConfig) => LineDialect): (config: ReaderConfig) => Reader {
  return (config) => new LineReader(config, dialect(config), (signal) => connectEndpoint(config.endpoint, signal === undefined ? {} : { signal }));
}

/** Driver factories by kind (STYLE.md: drivers register in a map). */
export const READER_DRIVERS: Readonly<Record<ReaderKind, (config: ReaderConfig) => Reader>> = {
  cognex: lineDriver(cognexDialect),
  keyence: lineDriver(keyenceDialect),
  hikrobot: lineDriver(hikrobotDialect),
  text: lineDriver((config) => textDialect(config)),
  serial: lineDriver(serialHandheldDialect),
  opcua: (config) => new OpcuaAutoIdReader(config),
};

export const READER_KINDS: readonly ReaderKind[] = Object.keys(READER_DRIVERS) as ReaderKind[];

/** Validates the endpoint for the kind and builds the driver. Bad config → ReaderConfigError naming the field. */
export function createReader(config: ReaderConfig): Reader {
  const factory = (READER_DRIVERS as Partial<Record<string, (c: ReaderConfig) => Reader>>)[config.kind];
  if (factory === undefined) throw new ReaderConfigError('kind', `未知的读码器类型 "${String(config.kind)}"，可选: ${READER_KINDS.join(' | ')} (unknown reader kind)`);
  if (!READER_ENDPOINTS[config.kind].includes(config.endpoint.kind)) {
    throw new ReaderConfigError('endpoint.kind', `${config.kind} 读码器不支持 ${config.endpoint.kind} 连接，可选: ${READER_ENDPOINTS[config.kind].join(' | ')} (unsupported endpoint)`);
  }
  checkMultiSeparator(config);
  return factory(config);
}
