/** Public surface of the PLC package (DESIGN.md §9: edge/plc). */
export type {
  LineCounters, PackmlState, PackmlStateName, PackmlStateNumber, PlcDriverKind, PlcEvent, PlcPort, PlcStatus, PlcTiming,
  RejectOutcome, StackLight, TriggerEvent,
} from './plc-port.ts';
export { PACKML_STATES, packmlState } from './packml.ts';
export { DEFAULT_PLC_TIMING } from './plc-timing.ts';
export {
  PlcBugError, PlcClosedError, PlcConfigError, PlcError, PlcExceptionError, PlcOfflineError, PlcProtocolError, PlcTimeoutError,
  type PlcErrorCode,
} from './errors.ts';
export {
  DEFAULT_REGISTER_MAP, parseRegisterMap, registerRows, REGISTER_DOC, u32ToWords, wordsToU32,
  type ModbusRegisterMap, type RegisterRow,
} from './register-map.ts';
export { DEFAULT_OPCUA_TAGS, parseOpcuaTagMap, type OpcuaTagMap } from './opcua-tag-map.ts';
export { ModbusPlc, type ModbusLink, type ModbusPlcOptions } from './drivers/modbus-plc.ts';
export { OpcuaPlc, type OpcuaPlcOptions } from './drivers/opcua-plc.ts';
export { openPlc, type PlcConnection } from './open-plc.ts';
export { startModbusPlcEmulator, type ModbusPlcEmulator, type ModbusPlcEmulatorOptions } from './emulators/modbus-plc-emulator.ts';
export { parseFaults, type ModbusFaults } from './emulators/modbus-faults.ts';
export { startOpcuaPlcEmulator } from './emulators/start-opcua-plc-emulator.ts';
export type { OpcuaPlcEmulator, OpcuaPlcEmulatorOptions } from './emulators/opcua-plc-emulator.ts';
export { applyPlcControl, type ControllablePlc } from './emulators/plc-control.ts';
export type { ConfirmMode } from './emulators/simulated-plc.ts';
