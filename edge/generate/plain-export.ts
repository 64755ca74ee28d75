import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GenerateError } from './errors.ts';

/**
 * Writes a plaintext code file (one code per line) from `chunks`, never leaving a half file under `outPath`:
 * the chunks go to a hidden temp file beside it (`.NAME.PID.RANDOM.partial`, created exclusively), each chunk
 * written whole and fsync'd as it arrives; at the end the temp file is hard-linked to `outPath` (link(2)
 * fails with EEXIST instead of replacing a file that appeared meanwhile), unlinked, and the directory fsync'd
 * so the new name survives power loss. On any error the temp file is removed and nothing appears.
 *
 * Returns the SHA-256 (hex) and size of what was written.
 */
export async function writePlainExport(outPath: string, chunks: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const dir = dirname(outPath);
  const tmpPath = join(dir, `.${basename(outPath)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
  let fd: number;
  try {
    fd = openSync(tmpPath, 'wx', 0o600);
  } catch (error) {
    throw new GenerateError('OUT_FAILED', `无法创建导出文件 ${outPath} (cannot create the export file): ${(error as Error).message}`, { cause: error });
  }
  let open = true;
  let linked = false;
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of chunks) {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      fsyncSync(fd);
      hash.update(chunk);
      bytes += chunk.length;
    }
    closeSync(fd);
    open = false;
    try {
      linkSync(tmpPath, outPath);
    } catch (error) {
      if ((error as { code?: string }).code === 'EEXIST') {
        throw new GenerateError('OUT_EXISTS', `导出文件已存在，不会覆盖: ${outPath} (the export file already exists; not overwritten)`, { cause: error });
      }
      throw error;
    }
    linked = true;
    unlinkSync(tmpPath);
    const dirFd = openSync(dir, 'r');
    try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
    return { sha256: hash.digest('hex'), bytes };
  } catch (error) {
    if (open) closeSync(fd);
    if (!linked) {
      try { unlinkSync(tmpPath); } catch { /* already gone */ }
    }
    if (error instanceof GenerateError) throw error;
    throw new GenerateError('OUT_FAILED', `写入导出文件失败 ${outPath} (writing the export file failed): ${(error as Error).message}`, { cause: error });
  }
}
