import type { CommandContext } from './command.ts';
import { CommandFailure, UsageError } from './errors.ts';
import { withStore } from './with-store.ts';
import { PackageError, formatIssues, type ImportReport } from '../packages/index.ts';
import { lineProgress } from '../packages/line-progress.ts';
import type { Db } from '../store/open.ts';

/**
 * Runs one supplier-file import (`wuma codes import-…`) against the station database: a progress line on
 * stderr while the file is read (TTY only), then either the refusal — exit 1 with the report's issues, nothing
 * stored — or `printOutcome`. A PackageError BAD_INPUT is a usage error (exit 2); any other is exit 1 with its code.
 */
export async function runPackageImport<T extends { readonly report: ImportReport }>(
  ctx: CommandContext,
  labels: { readonly progress: string; readonly refused: string },
  importer: (db: Db, onProgress: (linesRead: number) => void) => Promise<T>,
  printOutcome: (outcome: T) => void,
): Promise<number> {
  return withStore(ctx, async (store) => {
    const progress = lineProgress(ctx.stderr, labels.progress);
    try {
      const outcome = await importer(store.db, progress.onProgress);
      progress.done();
      const { report } = outcome;
      if (!report.ok) {
        throw new CommandFailure([`${labels.refused}: ${report.issueCount} 个问题 (issues)`, ...formatIssues(report)].join('\n'), report);
      }
      printOutcome(outcome);
      return 0;
    } catch (error) {
      progress.done();
      if (error instanceof PackageError) {
        if (error.code === 'BAD_INPUT') throw new UsageError(error.message);
        throw new CommandFailure(error.message, { code: error.code });
      }
      throw error;
    }
  });
}
