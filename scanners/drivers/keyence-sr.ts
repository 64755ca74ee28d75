import type { ReaderConfig } from '../contract.ts';
import type { FrameMeaning, LineDialect } from './line-dialect.ts';
import { bytesEqual, stringOption } from './line-dialect.ts';

/**
 * Keyence SR-700/750/1000/2000/X command protocol over TCP 9004 or RS-232.
 * Source: SR-750 User Manual ch. 7–8 "Serial/Ethernet communication" (notes/devices.md §2.2):
 * - `LON` CR starts reading, `LOFF` CR stops it [D][C];
 * - with command responses enabled the reader answers `OK,LON` CR / `OK,LOFF` CR [D][C];
 * - read data is `<code>` CR; a no-read is `ERROR` CR (the text is configurable on the reader → option
 *   `noRead`) [D];
 * - error replies `ER,<cmd>,<nn>` CR [?];
 * - framing is either nothing + CR or STX … ETX, mirrored in replies (option `framing`: `cr` | `stx-etx`) [D].
 */
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });

export function keyenceDialect(config: ReaderConfig): LineDialect {
  const noRead = enc.encode(stringOption(config.options, 'noRead', 'ERROR'));
  const stxEtx = stringOption(config.options, 'framing', 'cr') === 'stx-etx';
  const command = (text: string): Uint8Array => (stxEtx ? enc.encode(`\x02${text}\x03`) : enc.encode(`${text}\r`));
  return {
    vendor: 'Keyence',
    framing: stxEtx ? { start: 0x02, end: '\x03' } : { end: '\r', skipBetweenFrames: [0x0a] },
    triggerOn: command('LON'),
    triggerOff: command('LOFF'),
    classify(frame: Uint8Array): FrameMeaning {
      if (startsWith(frame, 'OK,')) return { kind: 'ack', value: dec.decode(frame.subarray(3)) };
      if (startsWith(frame, 'ER,')) return { kind: 'error', detail: `Keyence ${dec.decode(frame.subarray(0, 32))}` };
      if (bytesEqual(frame, noRead)) return { kind: 'no-read' };
      return { kind: 'read', payload: frame };
    },
  };
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i += 1) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}
