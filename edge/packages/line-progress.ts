/**
 * Progress of a long import on a terminal: one `\r`-rewritten line on `stream`, at most every 500 ms, only
 * when the stream is a TTY (pipes and --json output stay clean). No timers: it is driven by the reader.
 */
export interface LineProgress {
  readonly onProgress: (linesRead: number) => void;
  done(): void;
}

export function lineProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string): LineProgress {
  if (stream.isTTY !== true) return { onProgress: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    onProgress(linesRead) {
      const now = Date.now();
      if (now - last < 500) return;
      last = now;
      shown = true;
      stream.write(`\r${label}: 已读取 ${linesRead.toLocaleString('en-US')} 行 (lines read)`);
    },
    done() {
      if (shown) stream.write('\n');
    },
  };
}
