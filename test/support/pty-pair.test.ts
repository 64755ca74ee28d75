import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openPtyPair } from './pty-pair.ts';

describe('openPtyPair', () => {
  it('carries bytes from one end to the other', async () => {
    const pair = await openPtyPair();
    try {
      const fa = openSync(pair.a, 'r+');
      const fb = openSync(pair.b, 'r+');
      writeSync(fa, Buffer.from('HELLO\r\n'));
      const buf = Buffer.alloc(16);
      let got = '';
      const deadline = Date.now() + 2_000;
      while (!got.includes('\n') && Date.now() < deadline) {
        try { got += buf.toString('latin1', 0, readSync(fb, buf)); } catch { await new Promise((r) => setTimeout(r, 5)); }
      }
      closeSync(fa);
      closeSync(fb);
      expect(got).toBe('HELLO\r\n');
    } finally {
      await pair.close();
    }
  });
});
