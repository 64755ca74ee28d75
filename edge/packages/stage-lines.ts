import type { IssueCollector } from './import-report.ts';
import { readLines, type LineStats } from './read-lines.ts';
import type { StageTable } from './stage-table.ts';

export interface StagedLines {
  readonly stats: LineStats;
  /** Lines staged (non-blank, parsed). */
  readonly rows: number;
  readonly blank: number;
  readonly trimmed: number;
}

/**
 * Reads a list file into a stage table: each non-blank line (trimmed; trimming counted) goes through
 * `parse`, which returns the row to stage or null after reporting its own issue. Blank lines are skipped
 * and counted; an over-long line is an issue.
 */
export async function stageLines(
  source: AsyncIterable<Uint8Array>,
  stage: StageTable,
  issues: IssueCollector,
  parse: (text: string, line: number) => string | readonly string[] | null,
  onProgress?: (linesRead: number) => void,
): Promise<StagedLines> {
  const stats: LineStats = { lines: 0, bom: false, crlf: 0 };
  let rows = 0;
  let blank = 0;
  let trimmed = 0;
  for await (const batch of readLines(source, stats)) {
    const out: Array<string | readonly string[] | null> = new Array<string | readonly string[] | null>(batch.texts.length).fill(null);
    batch.texts.forEach((text, i) => {
      const line = batch.first + i;
      if (text === null) {
        issues.add(line, 'line-too-long', '行超过 512 字节 (line longer than 512 bytes)');
        return;
      }
      const t = text.trim();
      if (t.length === 0) {
        blank += 1;
        return;
      }
      if (t !== text) trimmed += 1;
      const row = parse(t, line);
      if (row !== null) {
        out[i] = row;
        rows += 1;
      }
    });
    stage.insert(batch.first, out);
    onProgress?.(stats.lines);
  }
  return { stats, rows, blank, trimmed };
}
