import type { ReadCode, RejectedPart, Symbology } from './contract.ts';

/**
 * Turns the bytes of one code, as a reader sent them, into a `ReadCode`.
 *
 * AIM symbology identifiers (ISO/IEC 15424; notes/standards.md §2.3): `]` + code letter + modifier. GS1 data
 * (`]d2` DataMatrix, `]C1` GS1-128, `]Q3` QR, `]e0` DataBar, `]J1` DotCode) keeps its GS (0x1D) separators in
 * `text`; `fields` splits it at GS so the station can interpret the AIs. Plain `]d1` / `]Q1` data is opaque
 * (a Digital Link URI is plain data). Without an AIM id the symbology is `unknown` and GS1-ness cannot be told.
 *
 * Rejected: invalid UTF-8, empty data, and C0 control characters other than GS / RS / EOT (the ISO/IEC 15434
 * envelope characters): NUL, ESC or CR inside a code means a framing or reader-configuration fault.
 */
export type ScanDataResult = { readonly kind: 'code'; readonly code: ReadCode } | { readonly kind: 'rejected'; readonly part: RejectedPart };

const AIM: Readonly<Record<string, { symbology: Symbology; gs1: boolean }>> = {
  d0: { symbology: 'datamatrix', gs1: false },
  d1: { symbology: 'datamatrix', gs1: false },
  d2: { symbology: 'gs1-datamatrix', gs1: true },
  d3: { symbology: 'datamatrix', gs1: false },
  d4: { symbology: 'datamatrix', gs1: false },
  d5: { symbology: 'gs1-datamatrix', gs1: true },
  d6: { symbology: 'datamatrix', gs1: false },
  Q0: { symbology: 'qr', gs1: false },
  Q1: { symbology: 'qr', gs1: false },
  Q2: { symbology: 'qr', gs1: false },
  Q3: { symbology: 'gs1-qr', gs1: true },
  Q4: { symbology: 'gs1-qr', gs1: true },
  Q5: { symbology: 'qr', gs1: false },
  Q6: { symbology: 'qr', gs1: false },
  C0: { symbology: 'code128', gs1: false },
  C1: { symbology: 'gs1-128', gs1: true },
  C2: { symbology: 'code128', gs1: false },
  C4: { symbology: 'code128', gs1: false },
  e0: { symbology: 'databar', gs1: true },
  J0: { symbology: 'dotcode', gs1: false },
  J1: { symbology: 'gs1-dotcode', gs1: true },
  E0: { symbology: 'ean-upc', gs1: false },
  E1: { symbology: 'ean-upc', gs1: false },
  E3: { symbology: 'ean-upc', gs1: false },
  E4: { symbology: 'ean-upc', gs1: false },
};

const GS = 0x1d;
const RS = 0x1e;
const EOT = 0x04;
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface ScanDataExtras {
  readonly grade?: number;
  readonly position?: ReadCode['position'];
}

export function parseScanData(raw: Uint8Array, extras: ScanDataExtras = {}): ScanDataResult {
  if (raw.length === 0) return reject('empty', 0, '空条码数据 (empty code data)');
  for (const b of raw) {
    if ((b < 0x20 && b !== GS && b !== RS && b !== EOT) || b === 0x7f) {
      return reject('control-characters', raw.length, `条码数据含控制字符 0x${b.toString(16).padStart(2, '0')} (control character in code data)`);
    }
  }
  let decoded: string;
  try {
    decoded = decoder.decode(raw);
  } catch {
    return reject('invalid-utf8', raw.length, '条码数据不是有效的 UTF-8 (code data is not valid UTF-8)');
  }
  let text = decoded;
  let aimId: string | undefined;
  let symbology: Symbology = 'unknown';
  let gs1 = false;
  if (decoded.length >= 3 && decoded[0] === ']' && /^[A-Za-z]$/.test(decoded[1] ?? '')) {
    aimId = decoded.slice(0, 3);
    const known = AIM[aimId.slice(1)];
    symbology = known?.symbology ?? 'other';
    gs1 = known?.gs1 ?? false;
    text = decoded.slice(3);
  }
  if (text.length === 0) return reject('empty', raw.length, '只有符号标识，没有数据 (symbology identifier without data)');
  const fields = gs1 ? text.split(String.fromCharCode(GS)).filter((f) => f.length > 0) : [text];
  const code: ReadCode = {
    text,
    raw: raw.slice(),
    symbology,
    gs1,
    fields,
    ...(aimId === undefined ? {} : { aimId }),
    ...(extras.grade === undefined ? {} : { grade: extras.grade }),
    ...(extras.position === undefined ? {} : { position: extras.position }),
  };
  return { kind: 'code', code };
}

function reject(reason: RejectedPart['reason'], byteLength: number, detail: string): ScanDataResult {
  return { kind: 'rejected', part: { reason, byteLength, detail } };
}
