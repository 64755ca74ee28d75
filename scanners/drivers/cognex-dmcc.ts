import type { ReaderConfig } from '../contract.ts';
import type { FrameMeaning, LineDialect } from './line-dialect.ts';
import { bytesEqual, stringOption } from './line-dialect.ts';

/**
 * Cognex DataMan Control Commands (DMCC) over TCP (Telnet port 23 by default) or RS-232.
 * Source: DataMan Communications & Programming Guide, "DMCC" (notes/devices.md §2.1) [D]:
 * - command = `||>` + command + CR LF (`||[checksum:command-id]>` variants; we send no checksum);
 * - `SET COM.DMCC-RESPONSE 1` = extended responses `||<checksum>:<command-id>[<status>]<payload>` CR LF,
 *   status 0 ok, 1 reader-initiated read string, 100 unidentified, 101 invalid command, 102 invalid parameter,
 *   103 bad checksum, 104 rejected due to state, 105 reader unavailable [D];
 * - silent mode (0, the default): no acks; read strings arrive bare, CR LF terminated.
 * The no-read text depends on the reader's data formatting [?]: option `noRead` (default `NOREAD`).
 * Identity via `GET DEVICE.TYPE` / `GET DEVICE.SERIAL-NUMBER` / `GET DEVICE.FIRMWARE-VER` needs extended mode [C].
 */
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });
const EXTENDED = /^\|\|(\d*):?(\d*)\[(\d{1,3})\]/;

export function cognexDialect(config: ReaderConfig): LineDialect {
  const noRead = enc.encode(stringOption(config.options, 'noRead', 'NOREAD'));
  const extended = config.options?.['extended'] !== false;
  const command = (text: string): Uint8Array => enc.encode(`||>${text}\r\n`);
  return {
    vendor: 'Cognex',
    framing: { end: '\r\n', skipBetweenFrames: [0x0a] },
    triggerOn: command('TRIGGER ON'),
    triggerOff: command('TRIGGER OFF'),
    ...(extended ? {
      identityQueries: [
        { field: 'model', command: command('GET DEVICE.TYPE') },
        { field: 'serial', command: command('GET DEVICE.SERIAL-NUMBER') },
        { field: 'firmware', command: command('GET DEVICE.FIRMWARE-VER') },
      ],
    } : {}),
    classify(frame: Uint8Array): FrameMeaning {
      // Only the header is decoded as text: the payload is passed on as bytes for the scan-data parser.
      const head = dec.decode(frame.subarray(0, Math.min(frame.length, 16)));
      const m = EXTENDED.exec(head);
      if (m === null) {
        if (frame[0] === 0x7c && frame[1] === 0x7c) return { kind: 'invalid', detail: 'DMCC 扩展应答头无法解析 (malformed DMCC response header)' };
        return bytesEqual(frame, noRead) ? { kind: 'no-read' } : { kind: 'read', payload: frame };
      }
      const status = Number(m[3]);
      const payload = frame.subarray(m[0].length); // the header regex matches ASCII only: chars = bytes
      if (status === 0) return { kind: 'ack', value: dec.decode(payload) };
      if (status === 1) return bytesEqual(payload, noRead) ? { kind: 'no-read' } : { kind: 'read', payload };
      return { kind: 'error', detail: `DMCC 状态 ${status} (${DMCC_STATUS[status] ?? 'unknown status'})` };
    },
  };
}

const DMCC_STATUS: Readonly<Record<number, string>> = {
  100: 'unidentified error',
  101: 'invalid command',
  102: 'invalid parameter',
  103: 'incorrect checksum',
  104: 'rejected due to reader state',
  105: 'reader unavailable',
};
