import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { CODE_STATUS_LABEL_ZH, kindFromInt, statusFromInt, statusToInt, type CodeStatus } from '../domain/kinds.ts';
import { displayCode, maskCode } from '../domain/mask.ts';
import { appendAudit } from '../store/audit.ts';
import { PackageError } from './errors.ts';
import { fileChunks } from './file-source.ts';
import { IssueCollector, buildReport, type ImportReport } from './import-report.ts';
import { stageLines } from './stage-lines.ts';
import { StageTable } from './stage-table.ts';

/** Statuses a waste list may not void: the code is on a real item in a parent or out of the door, or destroyed (final). */
const REFUSED: ReadonlySet<CodeStatus> = new Set<CodeStatus>(['aggregated', 'shipped', 'destroyed']);

export interface WasteImport {
  readonly path: string;
  readonly reason: string | null;
  readonly actor: string;
  readonly onProgress?: (linesRead: number) => void;
}

export interface WasteOutcome {
  readonly report: ImportReport;
  /** Codes newly voided. */
  readonly voided: number;
}

/**
 * Imports a supplier's waste list (排废: codes spoiled in printing), one code per line. Checks, all before
 * writing: each code exists, appears once, and is not aggregated, shipped or destroyed. Codes already voided
 * are accepted as they are (idempotent). Clean → status voided (8, DESIGN §4: never to pay out) in one
 * transaction with one audit row carrying counts and masked samples; any issue → nothing written.
 */
export async function importWaste(db: Database.Database, input: WasteImport): Promise<WasteOutcome> {
  const file = basename(input.path);
  if (!existsSync(input.path)) throw new PackageError('BAD_INPUT', `文件不存在: ${input.path} (file not found)`);
  const issues = new IssueCollector(file);
  const stage = new StageTable(db, 'wuma_import_waste', ['code']);
  try {
    const staged = await stageLines(fileChunks(input.path), stage, issues, (text, line) => {
      if (/[\s,]/.test(text)) {
        issues.add(line, 'bad-line', '每行只能有一个码 (one code per line)');
        return null;
      }
      return text;
    }, input.onProgress);
    const t = `temp.${stage.name}`;
    const byCode = stage.index('code');
    const lineOf = db.prepare(`SELECT line FROM ${t} WHERE code = ? AND line > ? ORDER BY line`).pluck();
    for (const g of db.prepare(`SELECT code, min(line) AS first, count(*) AS n FROM ${t} INDEXED BY ${byCode} GROUP BY code HAVING n > 1`).iterate() as IterableIterator<{ code: string; first: number }>) {
      for (const line of lineOf.all(g.code, g.first) as number[]) {
        issues.add(line, 'duplicate-in-file', `码 ${maskCode(g.code)} 与第 ${g.first} 行重复 (duplicates line ${g.first})`);
      }
    }
    let alreadyVoided = 0;
    const byKind: Record<string, number> = {};
    const rows = db.prepare(`SELECT s.line, s.code, c.kind, c.status FROM ${t} s INDEXED BY ${byCode} LEFT JOIN main.codes c ON c.code = s.code`);
    for (const r of rows.iterate() as IterableIterator<{ line: number; code: string; kind: number | null; status: number | null }>) {
      if (r.kind === null || r.status === null) {
        issues.add(r.line, 'unknown-code', `码 ${maskCode(r.code)} 不在库中 (code not in the database)`);
        continue;
      }
      const kind = kindFromInt(r.kind);
      const status = statusFromInt(r.status);
      if (REFUSED.has(status)) {
        issues.add(r.line, 'bad-status', `码 ${displayCode(r.code, kind)} 状态为${CODE_STATUS_LABEL_ZH[status]}，不能作废 (status ${status}: cannot be voided as waste)`);
        continue;
      }
      if (status === 'voided') alreadyVoided += 1;
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    const stats = { reason: input.reason, blankLines: staged.blank, trimmedLines: staged.trimmed, crlfLines: staged.stats.crlf, bom: staged.stats.bom, alreadyVoided, byKind };
    if (issues.total > 0) return { report: buildReport('waste', file, staged.rows, stats, issues), voided: 0 };

    const voidedStatus = statusToInt('voided');
    let voided = 0;
    db.transaction(() => {
      voided = db.prepare(`UPDATE main.codes SET status = @voided FROM ${t} AS s WHERE codes.code = s.code AND codes.status <> @voided`).run({ voided: voidedStatus }).changes;
      const sample = db.prepare(`SELECT s.code, c.kind FROM ${t} s JOIN main.codes c ON c.code = s.code ORDER BY s.line LIMIT 3`).all() as Array<{ code: string; kind: number }>;
      appendAudit(db, {
        actor: input.actor, action: 'codes.import-waste', subject: file, reason: input.reason,
        detail: { file, lines: staged.rows, voided, alreadyVoided, byKind, samples: sample.map((s) => displayCode(s.code, kindFromInt(s.kind))) },
      });
    }).immediate();
    return { report: buildReport('waste', file, staged.rows, stats, issues), voided };
  } finally {
    stage.drop();
  }
}
