import type { Migration } from './migration.ts';

/**
 * The text every refusal of the guard below carries; batches.ts recognises the guard by it and turns it into the
 * same CONFLICT startBatch gives (a trigger's RAISE can only be told from another trigger's by its message).
 */
export const ONE_OPEN_BATCH_GUARD = 'batches_one_open_per_line';

const REFUSAL = `'该产线已有未关闭（运行中或已暂停）的批次，一条产线同时只能有一个，请先关闭它 (${ONE_OPEN_BATCH_GUARD}: the line already has a running or paused batch; close it first)'`;

/**
 * DESIGN §6 / issue 4 §1: a line has at most one open batch (running or paused; only `closed` is not open).
 * startBatch checks it in code; these triggers make the database refuse it too, so a second process, an older
 * wuma or a hand-written INSERT/UPDATE cannot break it either. They fire when a row would BECOME open on a line
 * that already has another open batch: an INSERT of a running/paused batch, an UPDATE that reopens a closed
 * batch, or one that moves an open batch to another line. Pausing, resuming and closing never fire them.
 *
 * Triggers, not a partial UNIQUE index, so that a database which already breaks the rule (written before
 * startBatch refused a second open batch) still opens and is never changed behind anyone's back:
 * - a UNIQUE index cannot be created over such data, so the migration would fail and every wuma command,
 *   `wuma batch close` (the fix) included, would refuse to open the database: the line would be down until
 *   someone edited SQL by hand;
 * - with the triggers, the extra batches keep working as before (the station follows the newest running one of
 *   its line, edge/main.ts), can be paused, resumed and closed, and no new one can be added;
 * - `wuma verify` reports the line and batch ids under `one-open-batch-per-line` (verify.ts) and says to close
 *   the extra batches with `wuma batch close`; once they are closed the rule holds in full.
 * The messages are string literals: RAISE with an expression needs SQLite ≥ 3.47, and an older sqlite3 shell
 * (IT's tool) could then not read the schema at all. batches.ts names the line and the open batch instead.
 *
 * `batches_open_line` serves the triggers' lookup and startBatch's check; open batches are a handful of rows.
 */
export const oneOpenBatchPerLine: Migration = {
  version: 5,
  name: 'one open batch per line, enforced by the database',
  sql: `
CREATE INDEX batches_open_line ON batches(line) WHERE state <> 'closed';

CREATE TRIGGER batches_one_open_per_line_insert BEFORE INSERT ON batches
WHEN NEW.state <> 'closed' AND EXISTS (SELECT 1 FROM batches WHERE line = NEW.line AND state <> 'closed')
BEGIN
  SELECT RAISE(ABORT, ${REFUSAL});
END;

CREATE TRIGGER batches_one_open_per_line_update BEFORE UPDATE OF state, line ON batches
WHEN NEW.state <> 'closed' AND (OLD.state = 'closed' OR NEW.line IS NOT OLD.line)
  AND EXISTS (SELECT 1 FROM batches WHERE line = NEW.line AND state <> 'closed' AND id <> OLD.id)
BEGIN
  SELECT RAISE(ABORT, ${REFUSAL});
END;
`,
};
