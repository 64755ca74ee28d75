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
  if (e.kind === 'opcua' && !/^opc\.tcp:\/\/[^/\s]+/.test(e.url)) throw new PrinterConfigError('endpoint.url', `应为 opc.tcp://主机:端口，收到 ${JSON.stringify(e.url)} (must be an opc.tcp:// URL)`);
  if (e.kind === 'opcua' && config.kind !== 'opcua') throw new PrinterConfigError('endpoint', `${config.kind} 打印机需要 tcp 或 serial 地址 (${config.kind} printers take a tcp or serial endpoint)`);
  if (e.kind !== 'opcua' && config.kind === 'opcua') throw new PrinterConfigError('endpoint', 'OPC UA 打印机需要 opc.tcp:// 地址 (OPC UA printers take an opc.tcp:// endpoint)');
  return factory(config, () => createLink(e));
}
