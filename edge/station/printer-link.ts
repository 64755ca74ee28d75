import type { Printer, PrinterState } from '../../printers/index.ts';
import type { AlarmBoard } from './alarm-board.ts';
import { DeviceLink, type DeviceLinkKind } from './device-link.ts';
import type { Logger } from './logger.ts';

/**
 * A printer fault (ribbon out, head open …) clears by itself; a lost link (fault `offline`) does not: the driver
 * stays `faulted` (printers/state/printer-state-machine.ts), so it is closed and reopened.
 */
const PRINTER: DeviceLinkKind<Printer, PrinterState> = {
  alarm: 'printer-fault',
  usable: ['ready', 'busy'],
  closeBeforeRetry: true,
  faultedLog: '打印机故障 (printer fault)',
  openFailedLog: '打印机连接失败 (printer open failed)',
  openFailedDetail: (name) => `${name} offline`,
  watch: (printer, name, listener) => printer.onStateChange((state, _previous, faults) => {
    listener(state, { fields: { faults }, detail: `${name} ${faults.join(', ')}`, reopen: faults.includes('offline') });
  }),
};

/**
 * Keeps one printer usable (DeviceLink): raises `printer-fault` while it reports a fault and clears it when the
 * fault clears; a lost link is closed and reopened with a doubling back-off (200 ms … 5 s) until `close()`.
 */
export class PrinterLink extends DeviceLink<Printer, PrinterState> {
  readonly printer: Printer;

  constructor(name: string, printer: Printer, alarms: AlarmBoard, log: Logger) {
    super(name, printer, alarms, log, PRINTER);
    this.printer = printer;
  }
}
