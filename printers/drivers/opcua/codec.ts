/**
 * The OPC UA code-printer object type the driver speaks (names, result codes, fault names; pure, no I/O). It is
 * our own small type, documented in README "OPC UA printers" and in emulators/opcua-printer-emulator.ts: no
 * companion spec models a printing device (OPEN-SCS OPC 30260 is the L3 serialization server). A vendor server
 * with other names is mapped through the driver's options [?].
 */
import type { PrinterFault, RejectReason } from '../../contract.ts';

export const CODE_PRINTER_NS = 'http://wuma.local/UA/CodePrinter/';
export const CODE_PRINTER_TYPE = 'CodePrinterType';
export const PRINT_CONFIRMED_EVENT = 'PrintConfirmedEventType';

/** `Print(Code) → (JobId, Result)`: Result values. */
export type PrintMethodResult =
  | { readonly kind: 'accepted'; readonly jobId: number }
  | { readonly kind: 'rejected'; readonly reason: RejectReason; readonly detail: string };

const REJECTIONS: Readonly<Record<number, { reason: RejectReason; text: string }>> = {
  1: { reason: 'buffer-full', text: '打印机队列已满 (device queue full)' },
  2: { reason: 'faulted', text: '打印机故障 (device faulted)' },
  3: { reason: 'invalid-data', text: '打印机拒收数据 (device refused the data)' },
  4: { reason: 'not-ready', text: '打印机未就绪 (device not ready)' },
};

/** Decodes the two outputs of `Print`; null when they do not have the documented shape. */
export function decodePrintResult(jobId: unknown, result: unknown): PrintMethodResult | null {
  if (typeof result !== 'number' || !Number.isInteger(result)) return null;
  if (result === 0) return typeof jobId === 'number' && Number.isInteger(jobId) && jobId > 0 ? { kind: 'accepted', jobId } : null;
  const r = REJECTIONS[result];
  return r ? { kind: 'rejected', reason: r.reason, detail: `${r.text} [Result ${result}]` } : { kind: 'rejected', reason: 'nak', detail: `未知结果码 (unknown Result ${result})` };
}

const FAULTS: Readonly<Record<string, PrinterFault>> = {
  RibbonOut: 'ribbon-out', PaperOut: 'paper-out', HeadOpen: 'head-open', BufferFull: 'buffer-full', Paused: 'paused',
  OverTemperature: 'over-temperature', JetStopped: 'jet-stopped',
};

/** `Faults: String[]` → contract faults; a name we do not know is `device-error` (never ignored). */
export function decodeFaults(value: unknown): PrinterFault[] {
  const list: unknown[] = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  const out = new Set<PrinterFault>();
  for (const name of list) if (typeof name === 'string' && name.length > 0) out.add(FAULTS[name] ?? 'device-error');
  return [...out];
}
