import type { PrintResult } from '../contract.ts';
import type { PrinterStateMachine } from '../state/printer-state-machine.ts';

/** What the driver knows when a job arrives. */
export interface JobAdmission {
  readonly machine: PrinterStateMachine;
  /** The device said its buffer is full (back-pressure, not a fault). */
  readonly deviceFull: boolean;
  /** Jobs sent and not yet confirmed. */
  readonly inFlight: number;
  readonly queueDepth: number;
}

/**
 * Why a driver refuses a job before sending it, or null when it may be sent. A refusal means the job was not
 * printed (`rejected`), in this order: faulted, not ready, device buffer full, own queue depth reached.
 */
export function refuseJob(a: JobAdmission): Extract<PrintResult, { kind: 'rejected' }> | null {
  const state = a.machine.state;
  if (state === 'faulted') return { kind: 'rejected', reason: 'faulted', detail: `打印机故障 (printer faulted: ${a.machine.faults.join(', ')})` };
  if (state !== 'ready' && state !== 'busy') return { kind: 'rejected', reason: 'not-ready', detail: `打印机未就绪 (printer not ready: ${state})` };
  if (a.deviceFull) return { kind: 'rejected', reason: 'buffer-full', detail: '打印机缓冲区已满 (device buffer full)' };
  if (a.inFlight >= a.queueDepth) {
    return { kind: 'rejected', reason: 'buffer-full', detail: `已有 ${a.inFlight} 个未确认 (queue depth ${a.queueDepth} reached)` };
  }
  return null;
}
