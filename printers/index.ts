/** Public surface of printers/ (edge imports only this file). */
export type {
  ConfirmationLevel, Disposable, Endpoint, PrintJob, PrintResult, Printer, PrinterCapabilities, PrinterConfig,
  PrinterEvent, PrinterFault, PrinterKind, PrinterLogger, PrinterState, PrinterStatus, RejectReason, StateListener,
  Symbology,
} from './contract.ts';
export {
  DeviceOfflineError, NotOpenError, PrinterBugError, PrinterConfigError, PrinterError, ProtocolError, ReplyTimeoutError,
  type PrinterErrorCode,
} from './errors.ts';
export { PRINTER_TRANSITIONS, nextPrinterState } from './state/printer-state-machine.ts';
export { PRINTER_DRIVERS, PRINTER_KINDS, type PrinterFactory } from './drivers/registry.ts';
export { createPrinter } from './create-printer.ts';
export { probePrinter, type ProbeResult } from './probe-printer.ts';
export { runPrintQueue, type PrintQueueOptions, type PrintQueueReport } from './queue/print-queue.ts';
export { PRINTER_EMULATORS } from './emulators/emulator-registry.ts';
export { DEFAULT_FAULTS, PrinterEmulator, type EmulatorFaults, type EmulatorOptions, type PrintedItem } from './emulators/printer-emulator.ts';
export { OpcuaPrinterEmulatorHost } from './emulators/opcua-printer.ts';
export type { OpcuaPrinterEmulator, OpcuaPrinterEmulatorOptions } from './emulators/opcua-printer-emulator.ts';
export { OpcuaPrinter } from './drivers/opcua/driver.ts';
export { maskCode } from './mask.ts';
