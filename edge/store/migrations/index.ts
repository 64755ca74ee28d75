import { initial } from './0001-initial.ts';
import { station } from './0002-station.ts';
import { users } from './0003-users.ts';
import { caseAllocation } from './0004-case-allocation.ts';
import { oneOpenBatchPerLine } from './0005-one-open-batch-per-line.ts';
import { pairing } from './0006-pairing.ts';
import { pairingPrint } from './0007-pairing-print.ts';
import { warehouse } from './0008-warehouse.ts';
import type { Migration } from './migration.ts';

/** All migrations in order. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [initial, station, users, caseAllocation, oneOpenBatchPerLine, pairing, pairingPrint, warehouse];
export type { Migration } from './migration.ts';
