import { describe, expect, it } from 'vitest';
import { parseScanData } from './scan-data.ts';

const enc = new TextEncoder();
const GS = '\x1d';
const code = (text: string) => {
  const r = parseScanData(enc.encode(text));
  if (r.kind !== 'code') throw new Error(`rejected: ${r.part.detail}`);
  return r.code;
};

/** Vectors from notes/standards.md §2.3 (gs1-syntax-engine scandata tests). */
describe('parseScanData', () => {
  it('GS1 DataMatrix ]d2 keeps GS and splits fields', () => {
    const c = code(`]d2011231231231233310ABC123${GS}99TESTING`);
    expect(c).toMatchObject({ aimId: ']d2', symbology: 'gs1-datamatrix', gs1: true, text: `011231231231233310ABC123${GS}99TESTING`, fields: ['011231231231233310ABC123', '99TESTING'] });
  });

  it('GS1-128 ]C1', () => {
    expect(code(`]C10112312312312333235XYZ${GS}10ABC`)).toMatchObject({ symbology: 'gs1-128', gs1: true, fields: ['0112312312312333235XYZ', '10ABC'] });
  });

  it('GS1 QR ]Q3 and plain QR ]Q1 with a Digital Link URI (opaque)', () => {
    expect(code(']Q3011231231231233310ABC')).toMatchObject({ symbology: 'gs1-qr', gs1: true });
    expect(code(']Q1https://example.com/01/12312312312333?99=TEST')).toMatchObject({ symbology: 'qr', gs1: false, fields: ['https://example.com/01/12312312312333?99=TEST'] });
  });

  it('EAN ]E0, plain DataMatrix ]d1, unknown AIM letter, and no AIM id', () => {
    expect(code(']E02112345678900')).toMatchObject({ symbology: 'ean-upc', gs1: false, text: '2112345678900' });
    expect(code(']d1N7K2ABCDQ9')).toMatchObject({ symbology: 'datamatrix', gs1: false });
    expect(code(']Z9DATA')).toMatchObject({ symbology: 'other', aimId: ']Z9', text: 'DATA' });
    expect(code('CAP-0001')).toMatchObject({ symbology: 'unknown', gs1: false, text: 'CAP-0001' });
    expect(code('CAP-0001')).not.toHaveProperty('aimId');
  });

  it('keeps the raw bytes exactly, AIM id included', () => {
    const raw = enc.encode(`]d20100${GS}21X`);
    const r = parseScanData(raw);
    expect(r.kind === 'code' && Buffer.from(r.code.raw).equals(Buffer.from(raw))).toBe(true);
  });

  it('rejects with a reason: empty, AIM id only, NUL / ESC / CR, invalid UTF-8', () => {
    expect(parseScanData(new Uint8Array())).toMatchObject({ kind: 'rejected', part: { reason: 'empty' } });
    expect(parseScanData(enc.encode(']d2'))).toMatchObject({ kind: 'rejected', part: { reason: 'empty' } });
    for (const bad of ['A\x00B', 'A\x1bB', 'A\rB', 'A\x7fB']) {
      expect(parseScanData(enc.encode(bad))).toMatchObject({ kind: 'rejected', part: { reason: 'control-characters' } });
    }
    expect(parseScanData(Uint8Array.from([0x41, 0xc3, 0x28]))).toMatchObject({ kind: 'rejected', part: { reason: 'invalid-utf8' } });
  });

  it('never puts the code text into a rejection detail', () => {
    const r = parseScanData(enc.encode('SECRETCODE123\x00'));
    expect(r.kind).toBe('rejected');
    if (r.kind === 'rejected') expect(r.part.detail).not.toContain('SECRETCODE');
  });
});
