/** Public surface of the scanners package (explicit list; edge/ imports only this file). */
export type {
  CodePosition,
  Disposable,
  MultiCodeFormat,
  ProbeResult,
  ReadCode,
  Reader,
  ReaderConfig,
  ReaderEndpoint,
  ReaderEvent,
  ReaderIdentity,
  ReaderKind,
  ReaderState,
  ReadResult,
  RejectedPart,
  RejectReason,
  Symbology,
  TriggerOptions,
  TriggerRef,
  TriggerSource,
} from './contract.ts';
export {
  DeviceOfflineError,
  FrameTooLargeError,
  InvalidStateError,
  ProtocolError,
  ReaderConfigError,
  ScannerBugError,
  ScannerError,
  TimeoutError,
  type ScannerErrorCode,
} from './errors.ts';
export { READER_TRANSITIONS, readerTransition } from './reader-state.ts';
export { createReader, READER_DRIVERS, READER_ENDPOINTS, READER_KINDS } from './drivers/registry.ts';
export { probeReader } from './probe-reader.ts';
export { parseScanData } from './scan-data.ts';
export { CodeFeed } from './emulators/code-feed.ts';
export { ReaderEmulator, type EmulatorLogEvent, type ReaderFaults } from './emulators/reader-emulator.ts';
export { READER_EMULATORS, type ByteEmulatorKind, type ByteEmulatorOptions } from './emulators/registry.ts';
export { createCognexEmulator } from './emulators/cognex-emulator.ts';
export { createKeyenceEmulator } from './emulators/keyence-emulator.ts';
export { createTextEmulator, TEXT_EMULATOR_PRESETS, type TextEmulatorSettings } from './emulators/text-emulator.ts';
export type { OpcuaAutoIdEmulator, OpcuaFaults } from './emulators/opcua-autoid-emulator.ts';
export { startOpcuaEmulator } from './emulators/start-opcua-emulator.ts';
export type { EmulatorEndpoint } from './emulators/emulator-transport.ts';
