import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { writeTokenFile } from './token-file.ts';

let dir: TempDir | null = null;
afterEach(() => { dir?.remove(); dir = null; });

describe('writeTokenFile', () => {
  it('leaves one line readable by this user only, also over an existing world-readable file', () => {
    dir = makeTempDir('wuma-token-');
    const path = dir.file('api-token');
    writeFileSync(path, 'old token that was much longer than the new one\n', { mode: 0o644 });
    expect(statSync(path).mode & 0o777).toBe(0o644);
    writeTokenFile(path, 'T0KEN');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('T0KEN\n');
  });
});
