import type Database from 'better-sqlite3';
import { kindFromInt } from '../domain/kinds.ts';
import { PackageError } from './errors.ts';
import type { PackageManifest } from './manifest.ts';
import type { SealKey } from './package-key.ts';
import { writeSealedPackage } from './seal.ts';

export interface ExportResult {
  readonly manifest: PackageManifest;
  readonly sha256: string;
  readonly bytes: number;
  /** SHA-256 recorded for the package when it was generated, if any; equal to `sha256` for an intact package. */
  readonly recordedSha256: string | null;
}

const BATCH_BYTES = 64 * 1024;

/** The package's codes in code order as "\n"-terminated lines, ~64 KiB per chunk. */
function* codeLines(db: Database.Database, packageId: number): Generator<Uint8Array> {
  // codes is keyed by the code value: this is one ordered scan of the table, filtered by package.
  const rows = db.prepare('SELECT code FROM codes WHERE package_id = ? ORDER BY code').pluck().iterate(packageId) as IterableIterator<string>;
  let parts: string[] = [];
  let size = 0;
  for (const code of rows) {
    parts.push(code);
    size += code.length + 1;
    if (size >= BATCH_BYTES) {
      yield Buffer.from(`${parts.join('\n')}\n`, 'latin1');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(`${parts.join('\n')}\n`, 'latin1');
}

/**
 * Exports a ready package's codes as a sealed package for a supplier (DESIGN §5): manifest from the package
 * row, plaintext = its codes sorted, one per line. NOT_FOUND for an unknown uuid, BAD_INPUT for a package
 * that is not ready (still being written, or aborted). Reads only; the database is not changed.
 */
export async function exportPackage(db: Database.Database, uuid: string, outPath: string, key: SealKey): Promise<ExportResult> {
  const row = db.prepare('SELECT id, uuid, kind, product_id, count, state, sha256, created_at FROM code_packages WHERE uuid = ?').get(uuid.toLowerCase()) as
    { id: number; uuid: string; kind: number; product_id: string | null; count: number; state: string; sha256: string | null; created_at: string } | undefined;
  if (!row) throw new PackageError('NOT_FOUND', `码包不存在: ${uuid} (package not found)`);
  if (row.state !== 'ready') throw new PackageError('BAD_INPUT', `码包 ${uuid} 状态为 ${row.state}，只能导出 ready 的码包 (package is ${row.state}; only ready packages can be exported)`);
  const manifest: PackageManifest = { packageId: row.uuid, kind: kindFromInt(row.kind), count: row.count, productId: row.product_id, createdAt: row.created_at };
  const { sha256, bytes } = await writeSealedPackage(outPath, manifest, codeLines(db, row.id), key);
  return { manifest, sha256, bytes, recordedSha256: row.sha256 };
}
