import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';

/**
 * Writes the per-launch API token as one line, readable by this user only. An existing file is truncated and
 * re-moded (a plain write with `mode` keeps the mode of a file that was already there).
 */
export function writeTokenFile(path: string, token: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
}
