import { Ajv } from 'ajv';
import stationSchema from './station-config.schema.json' with { type: 'json' };
import pairingSchema from './pairing-config.schema.json' with { type: 'json' };
import { ConfigError, configErrors, deepFreeze, readConfigJson } from './load-config.ts';
import type { DeviceConfig, StationConfig } from './station-config.ts';

/**
 * The pairing station's configuration (issue 15, `wuma station --config pairing.json`), as validated by
 * pairing-config.schema.json: `mode: "pairing"` tells it apart from a line station's config; the station, device,
 * PLC and alarm sections are the station schema's own definitions (one source, referenced by `$id`).
 */
export interface PairingConfig {
  readonly mode: 'pairing';
  readonly station: StationConfig['station'];
  readonly database: string;
  readonly pairing: {
    readonly innerPackage: string;
    readonly outerPackage: string;
    readonly innerReader: DeviceConfig;
    readonly outerReader: DeviceConfig;
    readonly readTimeoutMs: number;
    readonly lastItems: number;
  };
  readonly plc: NonNullable<StationConfig['plc']>;
  readonly alarms?: StationConfig['alarms'];
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
ajv.addSchema(stationSchema);
const validate = ajv.compile<PairingConfig>(pairingSchema);

/** The `mode` of a parsed config: 'pairing' for a pairing station, 'line' for anything else (the line station's schema then judges it). */
export function configMode(raw: unknown): 'pairing' | 'line' {
  return typeof raw === 'object' && raw !== null && (raw as Record<string, unknown>)['mode'] === 'pairing' ? 'pairing' : 'line';
}

/** Validates, fills defaults and freezes a pairing config; ConfigError listing every bad field by path. */
export function parsePairingConfig(raw: unknown, source = 'config'): PairingConfig {
  const copy = structuredClone(raw);
  if (!validate(copy)) throw new ConfigError(source, configErrors(validate.errors ?? [], copy));
  return deepFreeze(copy);
}

export function loadPairingConfig(path: string): PairingConfig {
  return parsePairingConfig(readConfigJson(path), path);
}
