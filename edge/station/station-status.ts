import type { CaseStationState } from '../aggregation/case-station-machine.ts';
import type { PalletStationState } from '../aggregation/pallet-station-machine.ts';
import type { BatchState } from '../aggregation/batch-machine.ts';
import type { StackLight } from '../plc/plc-port.ts';
import type { Alarm } from './alarm-board.ts';
import type { CaseOutcomeView, CaseTriggerSource, UnseenCounts } from './case-station.ts';
import type { PalletProgress } from './pallet-station.ts';

/**
 * The station as the local API and UI see it (one snapshot, cheap to take). Inner codes are masked everywhere
 * in it; outer codes are shown as read.
 */
export interface StationStatus {
  readonly station: { readonly id: string; readonly name: string | null; readonly line: string };
  /** A batch of this line is running and the stations take cases. */
  readonly running: boolean;
  readonly batch: {
    readonly id: number; readonly productId: string; readonly lot: string; readonly productionDate: string; readonly state: BatchState;
    readonly unitsPerCase: number; readonly casesPerPallet: number;
  } | null;
  readonly caseStation: {
    readonly state: CaseStationState; readonly pending: number; readonly triggerSource: CaseTriggerSource;
    /** `read`: pre-printed case codes are read; `print`: allocated, printed and read back. */
    readonly caseCodeMode?: 'read' | 'print';
    /** Cases that passed without a decision since start-up (PLC outage or restart, full backlog, triggers while stopped): alarmed. */
    readonly unseen?: number;
    /** `unseen` by cause. */
    readonly unseenCounts?: UnseenCounts;
    /** Print mode: case labels printed and read back since start-up. */
    readonly labelsVerified?: number;
  } | null;
  readonly palletStation: (PalletProgress & { readonly state: PalletStationState }) | null;
  readonly counters: { readonly good: number; readonly reject: number; readonly noRead: number; readonly cases: number; readonly pallets: number };
  /** Newest first. */
  readonly lastReads: readonly CaseOutcomeView[];
  readonly alarms: readonly Alarm[];
  readonly light: StackLight;
  readonly lineStopped: boolean;
  readonly devices: readonly { readonly name: string; readonly kind: 'reader' | 'printer' | 'plc'; readonly state: string }[];
}
