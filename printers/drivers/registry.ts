import type { PrinterConfig, PrinterKind, Printer } from '../contract.ts';
import type { ByteLink } from '../../links/index.ts';
import { HitachiPrinter } from './hitachi/driver.ts';
import { LinxPrinter } from './linx/driver.ts';
import { OpcuaPrinter } from './opcua/driver.ts';
import { TextPrinter } from './text/driver.ts';
import { VideojetPrinter } from './videojet/driver.ts';
import { ZplPrinter } from './zpl/driver.ts';

/** `link` builds the byte link for tcp / serial endpoints; drivers with their own client (OPC UA) never call it. */
export type PrinterFactory = (config: PrinterConfig, link: () => ByteLink) => Printer;

/** Driver kind → factory (STYLE.md: drivers register in a map, never an if/else chain). */
export const PRINTER_DRIVERS: Readonly<Record<PrinterKind, PrinterFactory>> = {
  zpl: (config, link) => new ZplPrinter(config, link()),
  linx: (config, link) => new LinxPrinter(config, link()),
  videojet: (config, link) => new VideojetPrinter(config, link()),
  hitachi: (config, link) => new HitachiPrinter(config, link()),
  text: (config, link) => new TextPrinter(config, link()),
  opcua: (config) => new OpcuaPrinter(config),
};

export const PRINTER_KINDS: readonly PrinterKind[] = ['zpl', 'linx', 'videojet', 'hitachi', 'text', 'opcua'];
