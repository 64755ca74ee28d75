import { PlcConfigError } from './errors.ts';

/**
 * Where the station finds the PLC over OPC UA: a namespace URI (resolved to an index through the server's
 * NamespaceArray at connect, never a hard-coded `ns=`; notes/standards.md §3.4) and string node identifiers.
 * Level tags are variables; per-item facts are a method call (`pulseReject`, `accept`) and events of one event
 * type raised on `object` whose `Fact` property is 'trigger' or 'reject-confirm' and `Number` the trigger counter
 * or the confirmed sequence (subscriptions coalesce variable changes: feasibility §3c).
 * Defaults follow the S7-1500 style `"DB_Name"."Tag"` loosely (notes/devices.md §3.2) [?]: a real PLC's tag names are
 * set per project, so every identifier is configurable.
 */
export interface OpcuaTagMap {
  readonly namespaceUri: string;
  /** The PLC object: raises the events, owns the methods (browse name = its identifier's last segment). */
  readonly object: string;
  readonly variables: {
    readonly lineStop: string;
    readonly stackGreen: string;
    readonly stackYellow: string;
    readonly stackRed: string;
    readonly stackBuzzer: string;
    readonly stationHeartbeat: string;
    readonly plcHeartbeat: string;
    readonly triggerCounter: string;
    readonly packmlState: string;
    readonly goodCount: string;
    readonly rejectCount: string;
    readonly noReadCount: string;
  };
  readonly methods: { readonly pulseReject: string; readonly accept: string };
  /** Browse name of the event type (in `namespaceUri`). */
  readonly eventType: string;
}

export type OpcuaVariableName = keyof OpcuaTagMap['variables'];

export const DEFAULT_OPCUA_TAGS: OpcuaTagMap = Object.freeze({
  namespaceUri: 'urn:wuma:plc',
  object: 'WumaPlc',
  variables: Object.freeze({
    lineStop: 'WumaPlc.LineStop',
    stackGreen: 'WumaPlc.StackLight.Green',
    stackYellow: 'WumaPlc.StackLight.Yellow',
    stackRed: 'WumaPlc.StackLight.Red',
    stackBuzzer: 'WumaPlc.StackLight.Buzzer',
    stationHeartbeat: 'WumaPlc.StationHeartbeat',
    plcHeartbeat: 'WumaPlc.PlcHeartbeat',
    triggerCounter: 'WumaPlc.TriggerCounter',
    packmlState: 'WumaPlc.PackML.StateCurrent',
    goodCount: 'WumaPlc.Counters.Good',
    rejectCount: 'WumaPlc.Counters.Reject',
    noReadCount: 'WumaPlc.Counters.NoRead',
  }),
  methods: Object.freeze({ pulseReject: 'WumaPlc.PulseReject', accept: 'WumaPlc.Accept' }),
  eventType: 'WumaPlcEventType',
}) as OpcuaTagMap;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(source: string, path: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) {
    throw new PlcConfigError(path, `${source}: ${path}: 应为非空字符串，收到 ${JSON.stringify(value)} (must be a non-empty string)`);
  }
  return value;
}

function group<K extends string>(source: string, path: string, raw: unknown, defaults: Readonly<Record<K, string>>): Record<K, string> {
  if (raw === undefined) return { ...defaults };
  if (!isRecord(raw)) throw new PlcConfigError(path, `${source}: ${path}: 应为对象 (must be an object)`);
  const names = Object.keys(defaults) as K[];
  for (const key of Object.keys(raw)) {
    if (!(names as string[]).includes(key)) throw new PlcConfigError(`${path}.${key}`, `${source}: ${path}.${key}: 未知字段，可选: ${names.join(', ')} (unknown field)`);
  }
  const out = {} as Record<K, string>;
  for (const name of names) out[name] = text(source, `${path}.${name}`, raw[name], defaults[name]);
  return out;
}

/** Parses a (partial) tag map; missing fields take the defaults, unknown or empty ones fail with their path. */
export function parseOpcuaTagMap(raw: unknown, source = 'plc.opcua'): OpcuaTagMap {
  if (raw === undefined || raw === null) return DEFAULT_OPCUA_TAGS;
  if (!isRecord(raw)) throw new PlcConfigError('(root)', `${source}: 标签表应为对象 (tag map must be an object)`);
  for (const key of Object.keys(raw)) {
    if (!['namespaceUri', 'object', 'variables', 'methods', 'eventType'].includes(key)) {
      throw new PlcConfigError(key, `${source}: ${key}: 未知字段 (unknown field)`);
    }
  }
  const d = DEFAULT_OPCUA_TAGS;
  return Object.freeze({
    namespaceUri: text(source, 'namespaceUri', raw['namespaceUri'], d.namespaceUri),
    object: text(source, 'object', raw['object'], d.object),
    variables: Object.freeze(group(source, 'variables', raw['variables'], d.variables)),
    methods: Object.freeze(group(source, 'methods', raw['methods'], d.methods)),
    eventType: text(source, 'eventType', raw['eventType'], d.eventType),
  });
}
