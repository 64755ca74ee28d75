import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The bytes of a plain file in 1 MiB chunks, hashing them on the way (the raw-file SHA-256). */
export async function* fileChunks(path: string, hash?: Hash): AsyncGenerator<Buffer, void, void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const buf = chunk as Buffer;
    hash?.update(buf);
    yield buf;
  }
}

export function sha256Hasher(): Hash {
  return createHash('sha256');
}
