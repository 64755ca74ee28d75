import type { PrinterKind } from '../contract.ts';
import { HitachiEmulator } from './hitachi.ts';
import { LinxEmulator } from './linx.ts';
import { OpcuaPrinterEmulatorHost } from './opcua-printer.ts';
import type { EmulatorOptions, PrinterEmulator } from './printer-emulator.ts';
import { TextEmulator } from './text.ts';
import { VideojetEmulator } from './videojet.ts';
import { ZplEmulator } from './zpl.ts';

/** Emulator per protocol kind (device side); same keys as the driver registry. */
export const PRINTER_EMULATORS: Readonly<Record<PrinterKind, (options?: EmulatorOptions) => PrinterEmulator>> = {
  zpl: (o) => new ZplEmulator(o),
  linx: (o) => new LinxEmulator(o),
  videojet: (o) => new VideojetEmulator(o),
  hitachi: (o) => new HitachiEmulator(o),
  text: (o) => new TextEmulator(o),
  opcua: (o) => new OpcuaPrinterEmulatorHost(o),
};
