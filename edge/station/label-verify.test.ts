import { describe, expect, it } from 'vitest';
import type { ReadCode, ReadResult } from '../../scanners/index.ts';
import { verifyLabelRead } from './label-verify.ts';

/** The one rule of a label read back (issue 16 §4), for the case code label and the pallet label alike. */

const MISMATCH = '读到的码与垛码不符 (label reads a different code)';

function read(...texts: string[]): ReadResult {
  const codes = texts.map((text): ReadCode => ({ text, raw: new TextEncoder().encode(text), symbology: 'datamatrix', gs1: false, fields: [text] }));
  return { kind: 'read', trigger: { id: 1, source: 'software' }, codes, suppressed: 0, rejected: [], at: 0 };
}

describe('verifyLabelRead', () => {
  it('passes exactly one code in view that is the code printed (read twice: still one code)', () => {
    expect(verifyLabelRead(read('P1'), 'P1', MISMATCH)).toEqual({ ok: true });
    expect(verifyLabelRead(read('P1', 'P1'), 'P1', MISMATCH)).toEqual({ ok: true });
  });

  it('fails a read with a neighbour\'s label in view, even when one of the codes is the one printed', () => {
    for (const r of [read('P1', 'NEIGHBOUR'), read('NEIGHBOUR', 'P1'), read('A', 'B', 'P1')]) {
      const v = verifyLabelRead(r, 'P1', MISMATCH);
      expect(v.ok).toBe(false);
      if (!v.ok) {
        expect(v.why).toMatch(/codes in view; exactly one expected/);
        expect(v.why).not.toContain('NEIGHBOUR');
      }
    }
  });

  it('fails another single code as a mismatch, and a no-read or a verifier error as a no-read', () => {
    expect(verifyLabelRead(read('P2'), 'P1', MISMATCH)).toEqual({ ok: false, why: MISMATCH });
    const noRead: ReadResult = { kind: 'no-read', trigger: { id: 1, source: 'software' }, cause: 'timeout', suppressed: 0, rejected: [], at: 0 };
    expect(verifyLabelRead(noRead, 'P1', MISMATCH)).toEqual({ ok: false, why: '复核未读到 (verifier no-read)' });
    expect(verifyLabelRead(null, 'P1', MISMATCH)).toEqual({ ok: false, why: '复核未读到 (verifier no-read)' });
  });
});
