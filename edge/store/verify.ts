import type Database from 'better-sqlite3';
import { kindFromInt } from '../domain/kinds.ts';
import { displayCode } from '../domain/mask.ts';
import { verifyAuditChain } from './audit.ts';

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly ok: boolean;
  readonly violations: number;
  /** Up to five examples; secret codes are masked. */
  readonly examples: readonly string[];
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

/** An extra check plugged in by another part of the station (e.g. the outbox hash check of sync). */
export type ExtraCheck = (db: Database.Database) => CheckResult;

const EXAMPLES = 5;

function fromRows(id: string, title: string, db: Database.Database, sql: string, describe: (row: Record<string, unknown>) => string): CheckResult {
  const countRow = db.prepare(`SELECT count(*) AS n FROM (${sql})`).get() as { n: number };
  const examples = (db.prepare(`${sql} LIMIT ${EXAMPLES}`).all() as Array<Record<string, unknown>>).map(describe);
  return { id, title, ok: countRow.n === 0, violations: countRow.n, examples };
}

function code(row: Record<string, unknown>, field = 'code', kindField = 'kind'): string {
  const value = String(row[field]);
  const kind = row[kindField];
  return typeof kind === 'number' ? displayCode(value, kindFromInt(kind)) : value;
}

/**
 * `wuma verify`: SQLite's own integrity check plus the station's invariants. Read-only; safe on a live station
 * (runs in one read transaction, so the checks see one consistent snapshot).
 */
export function verifyStore(db: Database.Database, extra: readonly ExtraCheck[] = []): VerifyReport {
  const checks: CheckResult[] = [];
  db.transaction(() => {
    const integrity = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const bad = integrity.map((r) => r.integrity_check).filter((m) => m !== 'ok');
    checks.push({ id: 'integrity', title: 'SQLite 完整性检查 (integrity_check)', ok: bad.length === 0, violations: bad.length, examples: bad.slice(0, EXAMPLES) });

    const fk = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
    checks.push({ id: 'foreign-keys', title: '外键一致 (foreign_key_check)', ok: fk.length === 0, violations: fk.length, examples: fk.slice(0, EXAMPLES).map((r) => `${r.table} row ${r.rowid} → ${r.parent}`) });

    checks.push(fromRows('code-package', '每个码都属于一个码包 (every code belongs to a known package)', db,
      'SELECT c.code, c.kind FROM codes c LEFT JOIN code_packages p ON p.id = c.package_id WHERE p.id IS NULL', (r) => code(r)));

    checks.push(fromRows('package-count', '码包数量与码数一致 (package counts match their codes)', db,
      `SELECT p.uuid, p.count, coalesce(n.n, 0) AS actual FROM code_packages p
       LEFT JOIN (SELECT package_id, count(*) AS n FROM codes GROUP BY package_id) n ON n.package_id = p.id
       WHERE p.state = 'ready' AND p.count <> coalesce(n.n, 0)`,
      (r) => `码包 ${String(r['uuid'])}: 记录 ${String(r['count'])}, 实有 ${String(r['actual'])}`));

    checks.push(fromRows('parent-exists', '上级容器存在，无一码多父 (each child has exactly one existing parent)', db,
      'SELECT c.code, c.kind, c.parent FROM codes c WHERE c.parent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM containers k WHERE k.code = c.parent)',
      (r) => `${code(r)} → ${String(r['parent'])}`));

    checks.push(fromRows('aggregated-commissioned', '已关联的码必先赋码 (aggregated implies commissioned)', db,
      'SELECT c.code, c.kind, c.status FROM codes c WHERE (c.parent IS NOT NULL AND c.status NOT IN (3, 4)) OR (c.parent IS NULL AND c.status = 3)',
      (r) => `${code(r)} status=${String(r['status'])}`));

    checks.push(fromRows('container-count', '容器子数量一致 (container child counts match)', db,
      `SELECT k.code, k.child_count, coalesce(n.n, 0) AS actual FROM containers k
       LEFT JOIN (SELECT parent, count(*) AS n FROM codes WHERE parent IS NOT NULL GROUP BY parent) n ON n.parent = k.code
       WHERE k.child_count <> coalesce(n.n, 0)`,
      (r) => `${String(r['code'])}: 记录 ${String(r['child_count'])}, 实有 ${String(r['actual'])}`));

    checks.push(fromRows('container-commissioned', '容器码已赋码 (every container code is a commissioned code)', db,
      "SELECT k.code FROM containers k LEFT JOIN codes c ON c.code = k.code WHERE k.state <> 'broken' AND (c.code IS NULL OR c.status NOT IN (2, 3, 4))",
      (r) => String(r['code'])));

    checks.push(fromRows('pairs-symmetric', '同级关联双向一致 (inner/outer pairs point at each other)', db,
      'SELECT c.code, c.kind FROM codes c LEFT JOIN codes p ON p.code = c.pair WHERE c.pair IS NOT NULL AND (p.code IS NULL OR p.pair IS NOT c.code)',
      (r) => code(r)));

    // Enforced by migrations/0005 for every new batch; a database written before it may still break it.
    checks.push(fromRows('one-open-batch-per-line', '每条产线最多一个未关闭批次 (at most one open batch per line)', db,
      `SELECT line, group_concat(id, ', ' ORDER BY id) AS ids FROM batches WHERE state <> 'closed' GROUP BY line HAVING count(*) > 1 ORDER BY line`,
      (r) => `产线 ${String(r['line'])}: 批次 ${String(r['ids'])} 均未关闭，请用 wuma batch close 关闭多余的批次 (line ${String(r['line'])}: batches ${String(r['ids'])} are all open; close the extra ones with wuma batch close)`));

    // Dispatch (issue 13, migrations/0008). A shipped case is a closed case container that was aggregated, never
    // voided, destroyed or sampled; its code is `shipped` exactly while it is on a live shipment.
    checks.push(fromRows('shipped-aggregated', '已发货的箱必是已关联、未作废的整箱 (shipped implies aggregated and not voided)', db,
      `SELECT s.code, c.status, k.state FROM shipped_items s LEFT JOIN codes c ON c.code = s.code LEFT JOIN containers k ON k.code = s.code
       WHERE s.return_id IS NULL AND (c.code IS NULL OR c.status <> 4 OR k.code IS NULL OR k.level <> 'case' OR k.state <> 'closed' OR k.child_count = 0)
       UNION ALL
       SELECT c.code, c.status, NULL FROM codes c WHERE c.status = 4 AND c.kind = 4
         AND NOT EXISTS (SELECT 1 FROM shipped_items s WHERE s.code = c.code AND s.return_id IS NULL)
       UNION ALL
       SELECT c.code, c.status, NULL FROM codes c WHERE c.status = 4 AND c.kind = 5
         AND NOT EXISTS (SELECT 1 FROM shipped_items s WHERE s.pallet = c.code AND s.return_id IS NULL)
       UNION ALL
       SELECT c.code, c.status, NULL FROM codes c WHERE c.status = 4 AND c.kind NOT IN (4, 5)`,
      (r) => `箱 ${String(r['code'])}: 状态 ${String(r['status'])}${r['state'] === null || r['state'] === undefined ? '' : `，容器 ${String(r['state'])}`}`));

    checks.push(fromRows('order-shipped-count', '发货单已发数量等于发货明细 (order line shipped counts equal their shipped items)', db,
      `SELECT l.order_id, l.line_no, l.shipped, coalesce(n.n, 0) AS actual FROM order_lines l
       LEFT JOIN (SELECT order_id, line_no, count(*) AS n FROM shipped_items GROUP BY order_id, line_no) n ON n.order_id = l.order_id AND n.line_no = l.line_no
       WHERE l.shipped <> coalesce(n.n, 0)`,
      (r) => `发货单 ${String(r['order_id'])} 第 ${String(r['line_no'])} 行: 记录 ${String(r['shipped'])}, 明细 ${String(r['actual'])}`));

    checks.push(fromRows('shipped-once', '无退货不重复发货 (no case shipped twice without a return in between)', db,
      `SELECT a.code, a.order_id AS first_order, b.order_id AS second_order FROM shipped_items a
       JOIN shipped_items b ON b.code = a.code AND b.id > a.id
       LEFT JOIN dispatch_returns r ON r.id = a.return_id
       WHERE r.id IS NULL OR r.at > b.shipped_at`,
      (r) => `箱 ${String(r['code'])}: 发货单 ${String(r['first_order'])} 之后未退货又随 ${String(r['second_order'])} 发出`));

    const chain = verifyAuditChain(db);
    checks.push({
      id: 'audit-chain', title: '审计日志哈希链完整 (audit chain intact)', ok: chain.brokenAt === null,
      violations: chain.brokenAt === null ? 0 : 1, examples: chain.brokenAt === null ? [] : [`seq ${chain.brokenAt.seq}: ${chain.brokenAt.why}`],
    });

    checks.push(fromRows('outbox-state', '待上传队列状态一致 (outbox rows are consistent)', db,
      `SELECT id, state FROM outbox WHERE event_id NOT LIKE 'ni:///sha-256;%'
         OR (state = 'confirmed' AND confirmed_at IS NULL) OR (state <> 'confirmed' AND confirmed_at IS NOT NULL)
         OR (state = 'quarantined' AND last_error IS NULL) OR json_valid(body) = 0
         OR json_extract(body, '$.eventID') IS NOT event_id`,
      (r) => `outbox #${String(r['id'])} (${String(r['state'])})`));

    for (const check of extra) checks.push(check(db));
  })();
  return { ok: checks.every((c) => c.ok), checks };
}
