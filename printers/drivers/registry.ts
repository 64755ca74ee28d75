import type { PrinterConfig, PrinterKind, Printer } from '../contract.ts';
import type { ByteLink } from '../transport/byte-link.ts';
import { ZplPrinter } from './zpl/driver.ts';

export type PrinterFactory = (config: PrinterConfig, link: ByteLink) => Printer;

/** Driver kind → factory (STYLE.md: drivers register in a map, never an if/else chain). */
export const PRINTER_DRIVERS: Readonly<Record<PrinterKind, PrinterFactory>> = {
  zpl: (config, link) => new ZplPrinter(config, link),
  linx: (config, link) => new ZplPrinter(config, link),
  videojet: (config, link) => new ZplPrinter(config, link),
  hitachi: (config, link) => new ZplPrinter(config, link),
  text: (config, link) => new ZplPrinter(config, link),
};
