import { existsSync } from 'node:fs';
import { optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { withStore } from '../with-store.ts';
import { StoreError } from '../../store/errors.ts';
import { closePairingRun, getPairingRun, pairingCounts, type PairingRun } from '../../store/pairing-items.ts';
import type { Db } from '../../store/open.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function findRun(db: Db, run: string | undefined, line: string | undefined): PairingRun {
  if (run !== undefined) {
    const found = getPairingRun(db, { uuid: run });
    if (found === null) throw new UsageError(`--run ${run}: 配对任务不存在 (pairing run not found)`);
    return found;
  }
  const id = db.prepare(`SELECT id FROM pairing_runs WHERE line = ? AND state = 'running'`).pluck().get(line) as number | undefined;
  if (id === undefined) throw new UsageError(`--line ${line ?? ''}: 该产线没有进行中的配对任务 (no running pairing run on this line)`);
  const found = getPairingRun(db, { id });
  if (found === null) throw new UsageError(`--line ${line ?? ''}: 配对任务不存在 (pairing run not found)`);
  return found;
}

/**
 * `wuma pairing close` (issue 15 §3): ends a pairing run so the station takes no more items into it (its commit
 * checks the run's state inside the item's transaction: a station still running stops at its next item with a
 * database alarm, nothing half-written), with an audit row carrying the final counts. Then the run can be exported
 * (`wuma pairing export`). Closing a closed run is refused and changes nothing.
 */
export const command: CommandSpec = {
  path: ['pairing', 'close'],
  summary: '结束配对任务（不再接收新件），之后可导出配对包 (close a pairing run: no more items; then export it)',
  options: {
    run: { type: 'string', value: 'UUID', description: '配对任务编号 (pairing run uuid)' },
    line: { type: 'string', value: 'LINE', description: '或：该产线进行中的配对任务 (or: the running pairing run of this line)' },
  },
  details: [
    '先停止配对工位（Ctrl+C），再结束任务；结束后用 wuma pairing export 导出 (stop the station first, then close, then export).',
    '例 (example): wuma pairing close --line P1',
  ].join('\n'),
  async run(ctx, args) {
    const run = optionalString(args, 'run');
    const line = optionalString(args, 'line');
    if ((run === undefined) === (line === undefined)) throw new UsageError('需要 --run UUID 或 --line LINE 之一 (exactly one of --run and --line)');
    if (run !== undefined && !UUID.test(run)) throw new UsageError(`--run ${run}: 应为 UUID (must be a uuid)`);
    if (line !== undefined && line.trim().length === 0) throw new UsageError('--line 不能为空 (--line must not be empty)');
    if (!existsSync(ctx.dbPath)) throw new CommandFailure(`数据库文件不存在: ${ctx.dbPath} (database file not found)`);
    return withStore(ctx, (store) => {
      const db = store.db;
      const found = findRun(db, run, line);
      try {
        closePairingRun(db, found.id, ctx.env['USER'] ?? 'cli');
      } catch (error) {
        if (error instanceof StoreError) throw new CommandFailure(error.message, { code: error.code });
        throw error;
      }
      const counts = pairingCounts(db, found.id);
      if (ctx.json) ctx.printJson({ ok: true, run: found.uuid, line: found.line, state: 'closed', counts });
      else {
        ctx.print(`配对任务已结束 (pairing run closed): ${found.uuid}  产线 (line) ${found.line}`);
        ctx.print(`  配对 (pairs) ${counts.paired}  废品 (waste) ${counts.waste}`);
        ctx.print(`  导出 (export): wuma pairing export --run ${found.uuid} --out FILE --signing-key station.pem --recipient-key brand.pub.pem`);
      }
      return 0;
    });
  },
};
