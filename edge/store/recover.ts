import type Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface RecoveryReport {
  readonly abortedPackages: readonly string[];
  readonly removedCodes: number;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Where the generator spills the buckets of a package too large to sort in memory (edge/generate): a directory
 * beside the database, so it has the database's disk and permissions. It holds secret codes while it exists.
 */
export function generationScratchDir(dbPath: string, uuid: string): string {
  return join(dirname(dbPath), `.wuma-gen-${uuid}`);
}

/**
 * A package is written in several sorted transactions and marked 'ready' by the last one. A package still
 * 'writing' whose generator process is gone was interrupted: its codes were never exported or printed, so
 * removing them whole restores "the whole package or nothing". The package row stays, marked 'aborted', and the
 * generator's scratch directory, if any, is removed.
 */
export function recoverInterruptedPackages(db: Database.Database): RecoveryReport {
  const stale = (db.prepare("SELECT id, uuid, owner_pid FROM code_packages WHERE state = 'writing'").all() as Array<{ id: number; uuid: string; owner_pid: number | null }>)
    .filter((p) => p.owner_pid === null || !isAlive(p.owner_pid));
  if (stale.length === 0) return { abortedPackages: [], removedCodes: 0 };
  let removed = 0;
  const del = db.prepare('DELETE FROM codes WHERE package_id = ?');
  const mark = db.prepare("UPDATE code_packages SET state = 'aborted', count = 0, finished_at = ? WHERE id = ? AND state = 'writing'");
  db.transaction(() => {
    for (const p of stale) {
      removed += del.run(p.id).changes;
      mark.run(new Date().toISOString(), p.id);
    }
  }).immediate();
  // A dead generator may have left its scratch buckets (secret codes) behind; they go with the package.
  if (db.name !== ':memory:') for (const p of stale) rmSync(generationScratchDir(db.name, p.uuid), { recursive: true, force: true });
  return { abortedPackages: stale.map((p) => p.uuid), removedCodes: removed };
}
