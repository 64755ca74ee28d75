import type Database from 'better-sqlite3';

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
 * A package is written in several sorted transactions and marked 'ready' by the last one. A package still
 * 'writing' whose generator process is gone was interrupted: its codes were never exported or printed, so
 * removing them whole restores "the whole package or nothing". The package row stays, marked 'aborted'.
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
  return { abortedPackages: stale.map((p) => p.uuid), removedCodes: removed };
}
