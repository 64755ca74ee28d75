import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Checkpointer } from './checkpointer.ts';
import { StoreError } from './errors.ts';
import { migrate } from './migrate.ts';
import { recoverInterruptedPackages, type RecoveryReport } from './recover.ts';

export type Db = Database.Database;

export interface StoreOptions {
  /** Run the background WAL checkpointer (default true). Short-lived CLI commands may turn it off. */
  readonly checkpointer?: boolean;
  /** Interval of the PASSIVE checkpoint, ms (default 250, feasibility §4a). */
  readonly checkpointIntervalMs?: number;
  /** A nudge (nudgeCheckpoint) checkpoints once this long has passed since the last one (default 80 % of the interval). */
  readonly checkpointMinGapMs?: number;
  /** Page cache size in MiB (default 64). The bulk generator raises it for its own connection. */
  readonly cacheMiB?: number;
  /** Remove code packages left half-written by a dead generator (default true). */
  readonly recover?: boolean;
  readonly readonly?: boolean;
}

export interface Store {
  readonly db: Db;
  readonly path: string;
  readonly recovery: RecoveryReport;
  readonly checkpointer: Checkpointer | undefined;
  close(): Promise<void>;
}

/** The pragmas every connection must run with; asserted after setting (better-sqlite3 reopens WAL as NORMAL). */
export const REQUIRED_PRAGMAS = { journal_mode: 'wal', synchronous: 2, foreign_keys: 1, wal_autocheckpoint: 0 } as const;

/**
 * Applies and asserts the durability pragmas on a connection: WAL, synchronous=FULL, foreign keys on and
 * automatic checkpoints off (the background checkpointer does them). Throws PRAGMA_MISMATCH otherwise.
 */
export function applyPragmas(db: Db, cacheMiB = 64): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = ${-Math.round(cacheMiB * 1024)}`);
  const actual = {
    journal_mode: db.pragma('journal_mode', { simple: true }),
    synchronous: db.pragma('synchronous', { simple: true }),
    foreign_keys: db.pragma('foreign_keys', { simple: true }),
    wal_autocheckpoint: db.pragma('wal_autocheckpoint', { simple: true }),
  };
  for (const [name, want] of Object.entries(REQUIRED_PRAGMAS)) {
    const got = actual[name as keyof typeof actual];
    if (got !== want) {
      throw new StoreError('PRAGMA_MISMATCH', `数据库设置 ${name} 应为 ${String(want)}，实际为 ${String(got)} (database pragma ${name} must be ${String(want)}, is ${String(got)})`);
    }
  }
}

const checkpointers = new WeakMap<Db, Checkpointer>();

/**
 * Tells the connection's background checkpointer that the writer has just committed and has nothing in hand (the
 * case station between two cases), so a due checkpoint runs now, in the gap, not over the next commit's fsync.
 * Does nothing for a connection without a checkpointer.
 */
/** SQLite's data_version: changes when another connection (or process) commits to the database. */
export function dataVersion(db: Db): number {
  return db.pragma('data_version', { simple: true }) as number;
}

export function nudgeCheckpoint(db: Db): void {
  checkpointers.get(db)?.nudge();
}

/** Opens (creating if needed) the station database, migrates it, recovers interrupted work, starts the checkpointer. */
export function openStore(path: string, options: StoreOptions = {}): Store {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
  try {
    if (options.readonly) {
      db.pragma('busy_timeout = 5000');
    } else {
      applyPragmas(db, options.cacheMiB);
      migrate(db);
    }
  } catch (error) {
    db.close();
    throw error;
  }
  const recovery = options.readonly || options.recover === false ? { abortedPackages: [], removedCodes: 0 } : recoverInterruptedPackages(db);
  const useCheckpointer = !options.readonly && path !== ':memory:' && options.checkpointer !== false;
  const checkpointer = useCheckpointer ? new Checkpointer(path, options.checkpointIntervalMs ?? 250, options.checkpointMinGapMs) : undefined;
  if (checkpointer) checkpointers.set(db, checkpointer);
  let closing: Promise<void> | undefined;
  return {
    db,
    path,
    recovery,
    checkpointer,
    close() {
      closing ??= (async () => {
        if (checkpointer) await checkpointer.stop();
        if (db.open) {
          if (!options.readonly) {
            try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* the next open checkpoints */ }
          }
          db.close();
        }
      })();
      return closing;
    },
  };
}
