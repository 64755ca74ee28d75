/** The station configuration, as validated by station-config.schema.json (defaults filled in). */
export interface DeviceConfig {
  readonly driver: string;
  readonly tcp?: string;
  readonly listen?: string;
  readonly serial?: string;
  readonly opcua?: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface StationConfig {
  readonly station: { readonly id: string; readonly name?: string; readonly line: string };
  readonly database: string;
  readonly case?: {
    readonly camera: DeviceConfig;
    readonly caseCode: { readonly mode: 'read'; readonly reader: DeviceConfig } | { readonly mode: 'print'; readonly printer: DeviceConfig; readonly verifier: DeviceConfig };
    readonly readTimeoutMs: number;
    /** Where case triggers come from; unset: `plc` when a PLC is configured, else `camera`. */
    readonly triggerSource?: 'plc' | 'camera';
    /** Print mode: how long the verifier may take to read a case label back, ms (default 2000). */
    readonly verifyTimeoutMs?: number;
    /** Print mode: case codes tried per case, each failed one voided (default 3). */
    readonly printAttempts?: number;
  };
  readonly pallet?: {
    readonly reader: DeviceConfig; readonly printer: DeviceConfig; readonly verifier: DeviceConfig;
    /** How long the verifier may take to read a pallet label back, ms (default 2000). */
    readonly verifyTimeoutMs?: number;
    /** Labels tried per pallet, each failed code voided (default 3). */
    readonly labelAttempts?: number;
  };
  readonly plc?: {
    readonly driver: 'modbus-tcp' | 'modbus-rtu' | 'opcua';
    readonly tcp?: string;
    readonly serial?: string;
    readonly opcua?: string;
    readonly unitId: number;
    readonly registers?: Readonly<Record<string, unknown>>;
    /** OPC UA tag map overrides (edge/plc/opcua-tag-map.ts); defaults DEFAULT_OPCUA_TAGS. */
    readonly tags?: Readonly<Record<string, unknown>>;
    readonly rejectConfirmTimeoutMs: number;
  };
  readonly epcis?: Readonly<Record<string, unknown>>;
  readonly sync?: { readonly url?: string; readonly tokenFile?: string; readonly enabled: boolean };
  readonly api?: { readonly host: string; readonly port: number; readonly allowLan: boolean; readonly tlsCert?: string; readonly tlsKey?: string };
  readonly alarms?: { readonly consecutiveRejects: number; readonly diskMinFreeMiB: number };
}
