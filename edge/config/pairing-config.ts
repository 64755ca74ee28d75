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
    /** Two-reader and print mode. */
    readonly innerReader?: DeviceConfig;
    /** Two-reader mode. */
    readonly outerReader?: DeviceConfig;
    /** One-camera mode: one reader whose one read carries the item's inner and outer code. */
    readonly camera?: DeviceConfig;
    /** Print mode: the printer of the outer code (with innerReader). */
    readonly outerPrinter?: DeviceConfig;
    readonly printConfirmTimeoutMs: number;
    readonly readTimeoutMs: number;
    readonly lastItems: number;
  };
  readonly plc: NonNullable<StationConfig['plc']>;
  readonly alarms?: StationConfig['alarms'];
  readonly epcis?: StationConfig['epcis'];
}

/** How the station gets the two codes of an item (pairing-config.schema.json `pairing` description). */
export type PairingSourceKind = 'two-readers' | 'one-camera' | 'print';

/** The one valid combination of readers/printer in `pairing`, or the field to blame. */
export function pairingSourceKind(p: PairingConfig['pairing']): PairingSourceKind | { readonly path: string; readonly message: string } {
  const has = { inner: p.innerReader !== undefined, outer: p.outerReader !== undefined, camera: p.camera !== undefined, printer: p.outerPrinter !== undefined };
  if (has.camera) {
    for (const f of ['innerReader', 'outerReader', 'outerPrinter'] as const) {
      if (p[f] !== undefined) return { path: `pairing.${f}`, message: `单相机模式 (camera) 不能同时配置 ${f} (one-camera mode takes no ${f})` };
    }
    return 'one-camera';
  }
  if (!has.inner) return { path: 'pairing.innerReader', message: '缺少必填项：需要 innerReader（或单相机模式的 camera）(required: innerReader, or camera for one-camera mode)' };
  if (has.printer && has.outer) return { path: 'pairing.outerReader', message: '打印外码模式 (outerPrinter) 不读外码，不能同时配置 outerReader (print mode takes no outerReader)' };
  if (has.printer) return 'print';
  if (!has.outer) return { path: 'pairing.outerReader', message: '缺少必填项：需要 outerReader（或打印外码的 outerPrinter）(required: outerReader, or outerPrinter to print the outer code)' };
  return 'two-readers';
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
  const sources = pairingSourceKind(copy.pairing);
  if (typeof sources !== 'string') throw new ConfigError(source, [sources]);
  return deepFreeze(copy);
}

export function loadPairingConfig(path: string): PairingConfig {
  return parsePairingConfig(readConfigJson(path), path);
}
