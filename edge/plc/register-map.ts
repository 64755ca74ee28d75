import { PlcConfigError } from './errors.ts';

/**
 * The Modbus register map between the station and the line PLC. There is no vendor standard for this
 * (notes/devices.md §3.1: "station map is ours to define"), so every address is configurable; the defaults below
 * are what the emulators and the README table use.
 *
 * Addresses are 0-based protocol (PDU) addresses as they travel in the frame. mbpoll and most HMI tools count from 1
 * (`mbpoll -r 1` reads PDU address 0); Modicon notation writes holding register 0 as 40001 and coil 0 as 00001.
 *
 * Handshakes (why counters and sequence numbers instead of bits: a bit pulse shorter than a poll is lost unseen):
 * - trigger: the PLC increments `triggerCounter` (u16, wraps 65535 → 0) on every photo-eye edge; the station polls
 *   it and learns how many edges happened since the last poll.
 * - reject: the station writes `rejectReason`, then a new non-zero sequence number into `rejectPulse` (one FC16
 *   when the two are adjacent, as by default). The PLC fires the kicker on every change of `rejectPulse` and, when
 *   its confirm sensor sees the item leave, copies that sequence number into `rejectConfirm`.
 * - accept: the station writes a new non-zero sequence number into `acceptPulse`; there is no confirmation.
 * - heartbeat: each side increments its own register (u16, wrapping); each side's watchdog alarms when the other's
 *   stops changing.
 * - counters: u32 as two registers, order per `wordOrder` (default high word first, "ABCD"), written in one FC16.
 * - PackML: `packmlState` holds the OPC 30050 state number, written by the PLC, read-only for the station.
 */
export interface ModbusRegisterMap {
  /** Modbus unit id / slave address (1..247). */
  readonly unitId: number;
  /** Word order of the u32 counters ([?] differs between PLC brands; Siemens/Mitsubishi code usually high first). */
  readonly wordOrder: 'high-first' | 'low-first';
  /** Coils (FC01 read, FC05/FC15 write), station → PLC levels. */
  readonly coils: {
    readonly lineStop: number;
    readonly stackGreen: number;
    readonly stackYellow: number;
    readonly stackRed: number;
    readonly stackBuzzer: number;
  };
  /** Holding registers (FC03 read, FC06/FC16 write). */
  readonly holding: {
    /** PLC → station. */
    readonly triggerCounter: number;
    readonly rejectConfirm: number;
    readonly plcHeartbeat: number;
    readonly packmlState: number;
    /** station → PLC. */
    readonly rejectReason: number;
    readonly rejectPulse: number;
    readonly acceptPulse: number;
    readonly stationHeartbeat: number;
    /** station → PLC, two registers each. */
    readonly goodCount: number;
    readonly rejectCount: number;
    readonly noReadCount: number;
  };
}

export type CoilName = keyof ModbusRegisterMap['coils'];
export type HoldingName = keyof ModbusRegisterMap['holding'];

export const COIL_NAMES: readonly CoilName[] = ['lineStop', 'stackGreen', 'stackYellow', 'stackRed', 'stackBuzzer'];
export const HOLDING_NAMES: readonly HoldingName[] = [
  'triggerCounter', 'rejectConfirm', 'plcHeartbeat', 'packmlState',
  'rejectReason', 'rejectPulse', 'acceptPulse', 'stationHeartbeat', 'goodCount', 'rejectCount', 'noReadCount',
];
/** Registers that hold a u32 and so occupy two addresses. */
export const WIDE_HOLDING: ReadonlySet<HoldingName> = new Set(['goodCount', 'rejectCount', 'noReadCount']);

export const DEFAULT_REGISTER_MAP: ModbusRegisterMap = Object.freeze({
  unitId: 1,
  wordOrder: 'high-first',
  coils: Object.freeze({ lineStop: 0, stackGreen: 1, stackYellow: 2, stackRed: 3, stackBuzzer: 4 }),
  holding: Object.freeze({
    triggerCounter: 0, rejectConfirm: 1, plcHeartbeat: 2, packmlState: 3,
    rejectReason: 10, rejectPulse: 11, acceptPulse: 12, stationHeartbeat: 13,
    goodCount: 14, rejectCount: 16, noReadCount: 18,
  }),
}) as ModbusRegisterMap;

/** Direction and meaning of each entry, for the README table and `wuma emulate plc --help`. */
export const REGISTER_DOC: Readonly<Record<CoilName | HoldingName, string>> = {
  lineStop: 'station→PLC 停线 (line stop) 1 = stop',
  stackGreen: 'station→PLC 三色灯绿 (stack light green)',
  stackYellow: 'station→PLC 三色灯黄 (stack light yellow)',
  stackRed: 'station→PLC 三色灯红 (stack light red)',
  stackBuzzer: 'station→PLC 蜂鸣器 (buzzer)',
  triggerCounter: 'PLC→station 触发计数 u16 wrapping (trigger counter)',
  rejectConfirm: 'PLC→station 已确认剔除序号 (last confirmed reject sequence)',
  plcHeartbeat: 'PLC→station 心跳 u16 (PLC heartbeat)',
  packmlState: 'PLC→station PackML 状态号 OPC 30050 (read-only)',
  rejectReason: 'station→PLC 剔除原因 (reject reason 1..65535)',
  rejectPulse: 'station→PLC 剔除请求序号 (reject pulse sequence, non-zero)',
  acceptPulse: 'station→PLC 放行序号 (accept sequence, non-zero)',
  stationHeartbeat: 'station→PLC 心跳 u16 (station heartbeat)',
  goodCount: 'station→PLC 合格数 u32 (good count, 2 registers)',
  rejectCount: 'station→PLC 剔除数 u32 (reject count, 2 registers)',
  noReadCount: 'station→PLC 未读数 u32 (no-read count, 2 registers)',
};

export interface RegisterRow {
  readonly table: 'coil' | 'holding';
  readonly name: CoilName | HoldingName;
  /** 0-based PDU address. */
  readonly address: number;
  readonly width: 1 | 2;
  readonly meaning: string;
}

/** The map as rows sorted by table and address (README table, CLI output). */
export function registerRows(map: ModbusRegisterMap): RegisterRow[] {
  const rows: RegisterRow[] = [
    ...COIL_NAMES.map((name) => ({ table: 'coil' as const, name, address: map.coils[name], width: 1 as const, meaning: REGISTER_DOC[name] })),
    ...HOLDING_NAMES.map((name) => ({ table: 'holding' as const, name, address: map.holding[name], width: WIDE_HOLDING.has(name) ? 2 as const : 1 as const, meaning: REGISTER_DOC[name] })),
  ];
  return rows.sort((a, b) => (a.table === b.table ? a.address - b.address : a.table === 'coil' ? -1 : 1));
}

function fail(source: string, path: string, message: string): never {
  throw new PlcConfigError(path, `${source}: ${path}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function address(source: string, path: string, value: unknown, width: 1 | 2): number {
  const max = 65_536 - width;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    fail(source, path, `地址应为 0..${max} 的整数，收到 ${JSON.stringify(value)} (address must be an integer 0..${max}, 0-based PDU address)`);
  }
  return value;
}

function table<K extends string>(source: string, path: string, raw: unknown, names: readonly K[], defaults: Readonly<Record<K, number>>, wide: ReadonlySet<string>): Record<K, number> {
  if (raw === undefined) return { ...defaults };
  if (!isRecord(raw)) fail(source, path, `应为对象，收到 ${JSON.stringify(raw)} (must be an object)`);
  for (const key of Object.keys(raw)) {
    if (!(names as readonly string[]).includes(key)) fail(source, `${path}.${key}`, `未知字段，可选: ${names.join(', ')} (unknown field)`);
  }
  const out = {} as Record<K, number>;
  for (const name of names) {
    const width = wide.has(name) ? 2 : 1;
    out[name] = raw[name] === undefined ? defaults[name] : address(source, `${path}.${name}`, raw[name], width);
  }
  const owner = new Map<number, K>();
  for (const name of names) {
    const width = wide.has(name) ? 2 : 1;
    for (let a = out[name]; a < out[name] + width; a++) {
      const other = owner.get(a);
      if (other !== undefined) fail(source, `${path}.${name}`, `地址 ${a} 与 ${path}.${other} 重叠 (address ${a} overlaps ${path}.${other})`);
      owner.set(a, name);
    }
  }
  return out;
}

/**
 * Parses a (partial) register map from config or a JSON file: missing fields take the defaults, unknown fields,
 * bad addresses and overlaps fail with the field path and the value. `source` names the file or option in errors.
 */
export function parseRegisterMap(raw: unknown, source = 'plc.registerMap'): ModbusRegisterMap {
  if (raw === undefined || raw === null) return DEFAULT_REGISTER_MAP;
  if (!isRecord(raw)) fail(source, '(root)', `寄存器表应为对象，收到 ${JSON.stringify(raw)} (register map must be an object)`);
  for (const key of Object.keys(raw)) {
    if (!['unitId', 'wordOrder', 'coils', 'holding'].includes(key)) fail(source, key, '未知字段，可选: unitId, wordOrder, coils, holding (unknown field)');
  }
  const unitId = raw['unitId'] ?? DEFAULT_REGISTER_MAP.unitId;
  if (typeof unitId !== 'number' || !Number.isInteger(unitId) || unitId < 1 || unitId > 247) {
    fail(source, 'unitId', `站号应为 1..247，收到 ${JSON.stringify(unitId)} (unit id must be 1..247)`);
  }
  const wordOrder = raw['wordOrder'] ?? DEFAULT_REGISTER_MAP.wordOrder;
  if (wordOrder !== 'high-first' && wordOrder !== 'low-first') {
    fail(source, 'wordOrder', `应为 "high-first" 或 "low-first"，收到 ${JSON.stringify(wordOrder)} (word order of u32 counters)`);
  }
  const coils = table(source, 'coils', raw['coils'], COIL_NAMES, DEFAULT_REGISTER_MAP.coils, new Set());
  const holding = table(source, 'holding', raw['holding'], HOLDING_NAMES, DEFAULT_REGISTER_MAP.holding, WIDE_HOLDING);
  return Object.freeze({ unitId, wordOrder, coils: Object.freeze(coils), holding: Object.freeze(holding) });
}

/** Splits a u32 into two registers in the map's word order. */
export function u32ToWords(value: number, order: ModbusRegisterMap['wordOrder']): [number, number] {
  const v = value >>> 0;
  const hi = v >>> 16;
  const lo = v & 0xffff;
  return order === 'high-first' ? [hi, lo] : [lo, hi];
}

/** Joins two registers (in address order) into a u32. */
export function wordsToU32(first: number, second: number, order: ModbusRegisterMap['wordOrder']): number {
  return order === 'high-first' ? ((first << 16) >>> 0) + second : ((second << 16) >>> 0) + first;
}
