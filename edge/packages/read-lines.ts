/**
 * Splits a byte stream into lines for the import files, with bounded memory: a line longer than
 * `maxLineBytes` is reported as `null` (its bytes are skipped up to the next "\n"), never buffered whole.
 * Handled here: a UTF-8 BOM at the start (removed), CRLF line ends (the CR removed), a last line without
 * "\n". Blank lines and stray spaces are left to the caller, which reports them per line.
 */
export interface LineStats {
  /** Physical lines seen, including blank ones. */
  lines: number;
  bom: boolean;
  crlf: number;
}

export interface LineBatch {
  /** Line number (1-based) of texts[0]. */
  readonly first: number;
  readonly texts: ReadonlyArray<string | null>;
}

export async function* readLines(source: AsyncIterable<Uint8Array>, stats: LineStats, maxLineBytes = 512): AsyncGenerator<LineBatch, void, void> {
  let carry: Buffer = Buffer.alloc(0);
  let skipping = false;
  let started = false;
  const take = (bytes: Buffer): string | null => {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) {
      end -= 1;
      stats.crlf += 1;
    }
    return bytes.toString('utf8', 0, end);
  };
  for await (const chunk of source) {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!started && buf.length > 0) {
      started = true;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        stats.bom = true;
        buf = buf.subarray(3);
      }
    }
    const texts: Array<string | null> = [];
    const first = stats.lines + 1;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      stats.lines += 1;
      if (skipping) {
        texts.push(null);
        skipping = false;
      } else if (carry.length + (nl - start) > maxLineBytes + 1) {
        texts.push(null);
      } else {
        texts.push(take(carry.length > 0 ? Buffer.concat([carry, buf.subarray(start, nl)]) : buf.subarray(start, nl)));
      }
      carry = Buffer.alloc(0);
      start = nl + 1;
    }
    if (!skipping) {
      const rest = buf.subarray(start);
      if (carry.length + rest.length > maxLineBytes + 1) {
        skipping = true;
        carry = Buffer.alloc(0);
      } else if (rest.length > 0) {
        carry = Buffer.concat([carry, rest]);
      }
    }
    if (texts.length > 0) yield { first, texts };
  }
  if (skipping || carry.length > 0) {
    stats.lines += 1;
    yield { first: stats.lines, texts: [skipping ? null : take(carry)] };
  }
}
