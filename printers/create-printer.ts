import type { Printer, PrinterConfig } from './contract.ts';
import { PrinterConfigError } from './errors.ts';
import { PRINTER_DRIVERS } from './drivers/registry.ts';
import { createLink } from './transport/create-link.ts';

/** Builds the driver for a config (unopened). Throws PrinterConfigError naming the bad field. */
export function createPrinter(config: PrinterConfig): Printer {
  const factory = (PRINTER_DRIVERS as Record<string, (typeof PRINTER_DRIVERS)[keyof typeof PRINTER_DRIVERS] | undefined>)[config.kind];
  if (!factory) throw new PrinterConfigError('kind', `未知打印机类型 "${String(config.kind)}"，可选: ${Object.keys(PRINTER_DRIVERS).join(' | ')} (unknown printer kind)`);
  const e = config.endpoint;
  if (e.kind === 'tcp' && (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535)) throw new PrinterConfigError('endpoint.port', `端口应为 1..65535，收到 ${e.port} (port must be 1..65535)`);
  if (e.kind === 'serial' && (!Number.isInteger(e.baudRate) || e.baudRate < 50 || e.baudRate > 4_000_000)) throw new PrinterConfigError('endpoint.baudRate', `波特率无效 ${e.baudRate} (invalid baud rate)`);
  return factory(config, createLink(e));
}
