/**
 * Linx RCI framing and commands (RCI Reference Manual MP65038 / MP65969; notes/devices.md §1.3).
 * Host frame `ESC STX cmd data ESC ETX checksum`; reply `ESC ACK P-status C-status cmd data ESC ETX checksum`.
 * Checksum = two's complement of the sum of every byte except ESC, STX/ACK and ETX included [V: manual examples].
 * A data byte 0x1B is sent doubled and left out of the sum [?: iPlus validator skips ESC; configurable nowhere
 * because codes never contain ESC].
 */
export const ESC = 0x1b;
export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;
/** Asynchronous single bytes (print handshake): SI = print-go (trigger seen), EM = print end [C/D]. */
export const PRINT_GO = 0x0f;
export const PRINT_END = 0x19;

export const CMD = {
  startJet: 0x0f,
  stopJet: 0x10,
  startPrint: 0x11,
  stopPrint: 0x12,
  status: 0x14,
  remoteFieldData: 0x1d,
  clearError: 0x54,
} as const;

/** C-status (command status) values this driver branches on [C: iPlus LinxCommandStatusCodeEnum]. */
export const C_STATUS = {
  ok: 0x00,
  invalidChecksum: 0x08,
  invalidCommand: 0x11,
  jetNotRunning: 0x12,
  printCmdJetNotRunning: 0x2d,
  remoteDataTooLarge: 0x41,
  remoteBufferNowFull: 0x42,
  remoteBufferStillFull: 0x43,
  printerBusy: 0x51,
} as const;

export const JET_STATES = ['running', 'startup', 'shutdown', 'stopped', 'fault', 'warming-up'] as const;
export const PRINT_STATES = ['printing', 'undefined', 'idle', 'generating-pixels', 'waiting', 'last', 'printing-generating'] as const;

export function linxChecksum(bytes: Iterable<number>): number {
  let sum = 0;
  for (const b of bytes) if (b !== ESC) sum += b;
  return (0x100 - (sum & 0xff)) & 0xff;
}

/** A host command frame. */
export function encodeCommand(cmd: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out: number[] = [ESC, STX, cmd];
  for (const b of data) { out.push(b); if (b === ESC) out.push(ESC); }
  out.push(ESC, ETX, linxChecksum([STX, cmd, ...data, ETX]));
  return Uint8Array.from(out);
}

/**
 * Remote field data (0x1D): little-endian length then the characters [C]. The width of the length is
 * `lengthBytes` (2 per the client code we found; 4 in some manual revisions [?] — configurable).
 */
export function encodeRemoteFieldData(text: string, lengthBytes: 2 | 4): Uint8Array {
  const chars = Buffer.from(text, 'latin1');
  const head = Buffer.alloc(lengthBytes);
  if (lengthBytes === 2) head.writeUInt16LE(chars.length); else head.writeUInt32LE(chars.length);
  return encodeCommand(CMD.remoteFieldData, Buffer.concat([head, chars]));
}

export interface LinxReply {
  readonly pStatus: number;
  readonly cStatus: number;
  readonly cmd: number;
  readonly data: Uint8Array;
}

/** Decodes a reply frame body (bytes between ESC ACK and ESC ETX, unescaped); null when malformed or the checksum is wrong. */
export function decodeReply(start: number, body: Uint8Array, checksum: number): LinxReply | null {
  if (start !== ACK && start !== NAK) return null;
  if (body.length < 3) return null;
  if (linxChecksum([start, ...body, ETX]) !== checksum) return null;
  return { pStatus: body[0] ?? 0, cStatus: body[1] ?? 0, cmd: body[2] ?? 0, data: body.slice(3) };
}

export interface LinxStatus {
  readonly jet: (typeof JET_STATES)[number] | 'unknown';
  readonly print: (typeof PRINT_STATES)[number] | 'unknown';
  /** 32-bit error mask, little-endian [?]. */
  readonly errorMask: number;
}

export function decodeStatus(data: Uint8Array): LinxStatus | null {
  if (data.length < 6) return null;
  const view = Buffer.from(data);
  return {
    jet: JET_STATES[view[0] ?? 99] ?? 'unknown',
    print: PRINT_STATES[view[1] ?? 99] ?? 'unknown',
    errorMask: view.readUInt32LE(2),
  };
}
