/**
 * ZPL II encoding and ~HS decoding (Zebra ZPL II Programming Guide; notes/devices.md §1.1).
 * Pure functions: no I/O. Golden bytes in test/fixtures/printers/zpl/*.json pin this codec and the emulator.
 */
import type { PrinterFault, Symbology } from '../../contract.ts';

export const ZPL_SYMBOLOGIES: readonly Symbology[] = ['qr', 'datamatrix', 'gs1-datamatrix', 'code128', 'gs1-128', 'text'];
const GS = '\u001d';

export interface ZplLayout {
  /** Stored format name on the printer, device R: (DRAM) by default: `^DFR:WUMA.ZPL^FS` (guide: ^DF). */
  readonly formatName: string;
  readonly symbology: Symbology;
  /** Field origin in dots (^FO). */
  readonly x: number;
  readonly y: number;
  /** QR magnification 1..10 (^BQ), DataMatrix module size in dots (^BX h), Code 128 bar height in dots (^BC h). */
  readonly size: number;
}

/** The barcode / text command of the stored format, before its ^FN field. */
function elementCommand(layout: ZplLayout): string {
  switch (layout.symbology) {
    case 'qr': return `^BQN,2,${layout.size}`; // ^BQ a=N orientation, b=2 model 2, c=magnification
    // ^BXo,h,s,c,r,f,g: quality 200 = ECC 200; g='_' passed explicitly: the default escape differs by firmware (~ before V60.13.0.12).
    case 'datamatrix':
    case 'gs1-datamatrix': return `^BXN,${layout.size},200,0,0,6,_`;
    case 'code128':
    case 'gs1-128': return `^BCN,${layout.size},Y,N,N`; // ^BCo,h,f,g,e: interpretation line below, no check digit, mode N
    case 'text': return `^A0N,${layout.size},${layout.size}`;
  }
}

/** `^XA^DF…^FS ^FO…<element>^FN1^FS ^XZ`: stored once at open, recalled per item (guide: ^DF, ^FN). */
export function storeFormat(layout: ZplLayout): string {
  return `^XA^DF${layout.formatName}^FS^FO${layout.x},${layout.y}${elementCommand(layout)}^FN1^FS^XZ`;
}

/** Code 128 invocation codes for GS1-128: start C `>;`, FNC1 `>8`, subset B `>6`, subset C `>5`; a literal '>' is `><`. */
function gs1128Data(code: string): string {
  let out = '>;>8';
  let subset: 'B' | 'C' = 'C';
  const segments = code.split(GS);
  for (const [i, segment] of segments.entries()) {
    if (i > 0) out += '>8';
    const pairs = /^(?:\d\d)*/.exec(segment)?.[0] ?? '';
    if (pairs.length > 0) {
      if (subset !== 'C') { out += '>5'; subset = 'C'; }
      out += pairs;
    }
    const rest = segment.slice(pairs.length);
    if (rest.length > 0) {
      if (subset !== 'B') { out += '>6'; subset = 'B'; }
      out += rest.replaceAll('>', '><');
    }
  }
  return out;
}

/** Field data for one code in the given symbology (without ^FD / ^FS). */
export function fieldData(symbology: Symbology, code: string): string {
  switch (symbology) {
    case 'qr': return `QA,${code}`; // Q error correction, A automatic input mode (guide: ^BQ field data)
    case 'datamatrix': return code.replaceAll('_', '__');
    // GS1 DataMatrix: leading FNC1 `_1`, and `_1` again as the group separator after variable-length AIs.
    case 'gs1-datamatrix': return `_1${code.replaceAll('_', '__').replaceAll(GS, '_1')}`;
    case 'code128': return code.replaceAll('>', '><');
    case 'gs1-128': return gs1128Data(code);
    case 'text': return code;
  }
}

/** True when field data needs ^FH\ hex escapes: ZPL would read ^ or ~ as a command prefix (guide: ^FH). */
function needsHex(data: string): boolean {
  return /[\^~\\\x00-\x1f\x7f-\uffff]/.test(data);
}

function hexEscape(data: string): string {
  let out = '';
  for (const byte of Buffer.from(data, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x20 || byte > 0x7e || ch === '^' || ch === '~' || ch === '\\' ? `\\${byte.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

/** Per-item recall: `^XA^XF<name>^FS^FN1^FD<data>^FS^PQ1^XZ` (guide: ^XF, ^FN, ^PQ). */
export function recallFormat(layout: ZplLayout, code: string): string {
  const data = fieldData(layout.symbology, code);
  const fd = needsHex(data) ? `^FH\\^FD${hexEscape(data)}` : `^FD${data}`;
  return `^XA^XF${layout.formatName}^FS^FN1${fd}^FS^PQ1^XZ`;
}

export const HOST_STATUS = '~HS';
export const HOST_IDENTIFICATION = '~HI';
export const CANCEL_ALL = '~JA';

/** The fields of a ~HS reply this station uses (guide: ~HS, three strings). */
export interface HostStatus {
  readonly paperOut: boolean;
  readonly paused: boolean;
  readonly formatsInBuffer: number;
  readonly bufferFull: boolean;
  readonly headUp: boolean;
  readonly ribbonOut: boolean;
  readonly labelsRemaining: number;
}

/** Parses the three ~HS strings (STX/ETX already removed); null if they do not have the documented shape. */
export function parseHostStatus(lines: readonly string[]): HostStatus | null {
  const [l1, l2, l3] = lines;
  if (l1 === undefined || l2 === undefined || l3 === undefined) return null;
  const a = l1.split(',');
  const b = l2.split(',');
  if (a.length !== 12 || b.length !== 11 || l3.split(',').length !== 2) return null;
  const num = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : Number.NaN);
  const s: HostStatus = {
    paperOut: a[1] === '1',
    paused: a[2] === '1',
    formatsInBuffer: num(a[4]),
    bufferFull: a[5] === '1',
    headUp: b[2] === '1',
    ribbonOut: b[3] === '1',
    labelsRemaining: num(b[8]),
  };
  return Number.isNaN(s.formatsInBuffer) || Number.isNaN(s.labelsRemaining) ? null : s;
}

export function hostStatusFaults(s: HostStatus): PrinterFault[] {
  const faults: PrinterFault[] = [];
  if (s.paperOut) faults.push('paper-out');
  if (s.ribbonOut) faults.push('ribbon-out');
  if (s.headUp) faults.push('head-open');
  if (s.paused) faults.push('paused');
  if (s.bufferFull) faults.push('buffer-full');
  return faults;
}

/**
 * ZebraNet alerts (guide: ^SX Set ZebraNet Alert, fw V48.12.4+): `^SXa,b,c,d,e,f` — a condition, b destination
 * (A serial, B parallel, C e-mail, D TCP/IP, E UDP/IP, F SNMP trap), c alert on set, d alert on clear, e IP
 * address, f port. We route to D: the printer opens a TCP connection to a listener the driver runs (the raw 9100
 * socket is not a documented destination). Conditions used and the fault each one raises:
 */
export const ZPL_ALERT_CONDITIONS: Readonly<Record<'A' | 'B' | 'C' | 'E' | 'J', PrinterFault>> = {
  A: 'paper-out', B: 'ribbon-out', C: 'over-temperature', E: 'head-open', J: 'paused',
};

/** One format configuring every condition above to TCP host:port, on set and on clear. */
export function alertSetup(host: string, port: number): string {
  return `^XA${Object.keys(ZPL_ALERT_CONDITIONS).map((c) => `^SX${c},D,Y,Y,${host},${port}`).join('')}^XZ`;
}

/**
 * Condition names as the alert text spells them. [?] The guide documents ^SX but not the text of the message
 * the printer sends; we match these names anywhere in a line, case-insensitively, and read "CLEAR" in the line
 * as the condition clearing. Check against a real printer (README, unverified facts).
 */
const ALERT_TEXT: ReadonlyArray<readonly [RegExp, PrinterFault]> = [
  [/PAPER OUT|MEDIA OUT/i, 'paper-out'],
  [/RIBBON OUT/i, 'ribbon-out'],
  [/HEAD OPEN/i, 'head-open'],
  [/HEAD TOO HOT|OVER[- ]?TEMP/i, 'over-temperature'],
  [/PRINTER PAUSED|\bPAUSED\b/i, 'paused'],
];

export interface ZplAlert {
  readonly fault: PrinterFault;
  readonly set: boolean;
}

/** One alert line (CR/LF removed); null for a line naming no condition we act on (e.g. PQ JOB COMPLETED). */
export function parseAlert(line: string): ZplAlert | null {
  for (const [pattern, fault] of ALERT_TEXT) if (pattern.test(line)) return { fault, set: !/CLEAR/i.test(line) };
  return null;
}
