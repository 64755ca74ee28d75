import type { MultiCodeFormat, RejectedPart } from './contract.ts';

/**
 * Splits one reader message into the bytes of each code (notes/devices.md §2.5: one message with N codes and
 * a separator, optionally led by the count). Without a format the whole message is one code.
 * A count prefix that does not match the number of codes rejects the whole message: a case station must not
 * aggregate a partial read as if it were complete.
 */
export interface SplitResult {
  readonly parts: readonly Uint8Array[];
  readonly rejected: readonly RejectedPart[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function splitMessage(message: Uint8Array, format: MultiCodeFormat | undefined): SplitResult {
  if (format === undefined) return { parts: [message], rejected: [] };
  const sep = encoder.encode(format.separator);
  const pieces: Uint8Array[] = [];
  let from = 0;
  const buf = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  for (;;) {
    const at = buf.indexOf(sep, from);
    if (at < 0) {
      pieces.push(message.subarray(from));
      break;
    }
    pieces.push(message.subarray(from, at));
    from = at + sep.length;
  }
  if (!format.countPrefix) return { parts: pieces, rejected: [] };
  const head = pieces.shift() ?? new Uint8Array();
  const headText = decoder.decode(head);
  const parts = pieces.length === 1 && pieces[0]?.length === 0 ? [] : pieces;
  if (!/^\d{1,4}$/.test(headText)) {
    return { parts: [], rejected: [{ reason: 'count-mismatch', byteLength: message.length, detail: `消息开头不是条码数量 (message does not start with a code count)` }] };
  }
  const count = Number(headText);
  if (count !== parts.length) {
    return {
      parts: [],
      rejected: [{ reason: 'count-mismatch', byteLength: message.length, detail: `读码器报告 ${count} 个码，实际收到 ${parts.length} 个 (reader announced ${count} codes, message holds ${parts.length})` }],
    };
  }
  return { parts, rejected: [] };
}
