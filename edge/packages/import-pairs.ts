import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { kindFromInt, type CodeKind } from '../domain/kinds.ts';
import { displayCode, maskCode } from '../domain/mask.ts';
import { appendAudit } from '../store/audit.ts';
import { PackageError } from './errors.ts';
import { fileChunks } from './file-source.ts';
import { IssueCollector, buildReport, type ImportReport } from './import-report.ts';
import { stageLines } from './stage-lines.ts';
import { StageTable } from './stage-table.ts';

/** Same-level pairs (同级关联): inner kind → its outer kind. */
const OUTER_OF: Readonly<Partial<Record<CodeKind, CodeKind>>> = { 'cap-inner': 'cap-outer', 'case-inner': 'case-outer' };

const HEADER_FIELD = /[^\x20-\x7e]|^(inner|outer)([ _-]?code)?$|^code\d*$/i;

export interface PairsImport {
  readonly path: string;
  readonly actor: string;
  readonly onProgress?: (linesRead: number) => void;
}

export interface PairsOutcome {
  readonly report: ImportReport;
  /** Pairs newly stored (both rows updated). */
  readonly stored: number;
}

/** A code of unknown kind is masked: it may be a secret one. */
function shown(code: string, kind: number | null): string {
  return kind === null ? maskCode(code) : displayCode(code, kindFromInt(kind));
}

/**
 * Imports a supplier's pairing file (同级关联, DESIGN §1): one inner/outer pair per line, separated by "," or
 * a tab, either order, with an optional header line. Checks, all before writing: both codes exist; their
 * kinds are the inner and outer of one level (cap-inner↔cap-outer, case-inner↔case-outer); neither is
 * paired to another code; no code appears twice in the file. A pair already stored exactly is accepted
 * and left as is (re-importing a file is idempotent). Clean → `codes.pair` set on both rows in one
 * transaction with one audit row; any issue → nothing written.
 */
export async function importPairs(db: Database.Database, input: PairsImport): Promise<PairsOutcome> {
  const file = basename(input.path);
  if (!existsSync(input.path)) throw new PackageError('BAD_INPUT', `文件不存在: ${input.path} (file not found)`);
  const issues = new IssueCollector(file);
  const stage = new StageTable(db, 'wuma_import_pairs', ['a', 'b']);
  let sawFirst = false;
  let header = false;
  try {
    const staged = await stageLines(fileChunks(input.path), stage, issues, (text, line) => {
      const fields = text.split(/[,\t]/).map((f) => f.trim());
      const isFirst = !sawFirst;
      sawFirst = true;
      if (isFirst && fields.some((f) => HEADER_FIELD.test(f))) {
        header = true;
        return null;
      }
      if (fields.length !== 2 || fields.some((f) => f.length === 0)) {
        issues.add(line, 'bad-line', `应为 "内码,外码" 两列（逗号或制表符分隔），实际 ${fields.length} 列 (expected 2 fields "inner,outer" separated by "," or tab, got ${fields.length})`);
        return null;
      }
      return fields as [string, string];
    }, input.onProgress);

    const t = `temp.${stage.name}`;
    const byA = stage.index('a');
    stage.index('b');
    const linesOf = db.prepare(`SELECT line FROM ${t} WHERE (a = @code OR b = @code) AND line > @first ORDER BY line`).pluck();
    for (const g of db.prepare(`SELECT code, min(line) AS first, count(*) AS n FROM (SELECT a AS code, line FROM ${t} UNION ALL SELECT b, line FROM ${t}) GROUP BY code HAVING n > 1`).iterate() as IterableIterator<{ code: string; first: number; n: number }>) {
      for (const line of linesOf.all({ code: g.code, first: g.first }) as number[]) {
        issues.add(line, 'duplicate-in-file', `码 ${maskCode(g.code)} 在第 ${g.first} 行已出现 (code already appears on line ${g.first})`);
      }
    }
    let alreadyPaired = 0;
    const rows = db.prepare(`SELECT s.line, s.a, s.b, ca.kind AS ka, ca.pair AS pa, cb.kind AS kb, cb.pair AS pb
      FROM ${t} s INDEXED BY ${byA} LEFT JOIN main.codes ca ON ca.code = s.a LEFT JOIN main.codes cb ON cb.code = s.b`);
    for (const r of rows.iterate() as IterableIterator<{ line: number; a: string; b: string; ka: number | null; pa: string | null; kb: number | null; pb: string | null }>) {
      if (r.a === r.b) {
        issues.add(r.line, 'duplicate-in-file', `同一行两列是同一个码 ${maskCode(r.a)} (both fields hold the same code)`);
        continue;
      }
      if (r.ka === null || r.kb === null) {
        for (const [code, kind, col] of [[r.a, r.ka, 1], [r.b, r.kb, 2]] as const) {
          if (kind === null) issues.add(r.line, 'unknown-code', `第 ${col} 列的码 ${maskCode(code)} 不在库中（先导入码包） (column ${col}: code not in the database; import its package first)`);
        }
        continue;
      }
      const ka = kindFromInt(r.ka);
      const kb = kindFromInt(r.kb);
      if (OUTER_OF[ka] !== kb && OUTER_OF[kb] !== ka) {
        issues.add(r.line, 'wrong-kind', `${shown(r.a, r.ka)} 是 ${ka}，${shown(r.b, r.kb)} 是 ${kb}，不是同级内外码 (${ka} and ${kb} are not the inner and outer code of one level)`);
        continue;
      }
      if (r.pa === r.b && r.pb === r.a) {
        alreadyPaired += 1;
        continue;
      }
      if (r.pa !== null) issues.add(r.line, 'already-paired', `${shown(r.a, r.ka)} 已与 ${maskCode(r.pa)} 关联 (already paired with another code)`);
      if (r.pb !== null) issues.add(r.line, 'already-paired', `${shown(r.b, r.kb)} 已与 ${maskCode(r.pb)} 关联 (already paired with another code)`);
    }
    const stats = { header, blankLines: staged.blank, trimmedLines: staged.trimmed, crlfLines: staged.stats.crlf, bom: staged.stats.bom, alreadyPaired };
    if (issues.total > 0) return { report: buildReport('pairs', file, staged.rows, stats, issues), stored: 0 };

    let stored = 0;
    db.transaction(() => {
      const one = db.prepare(`UPDATE main.codes SET pair = s.b FROM ${t} AS s WHERE codes.code = s.a AND codes.pair IS NULL`).run().changes;
      const two = db.prepare(`UPDATE main.codes SET pair = s.a FROM ${t} AS s WHERE codes.code = s.b AND codes.pair IS NULL`).run().changes;
      if (one !== two) throw new PackageError('BAD_INPUT', `关联写入不对称 ${one}/${two} (pair update asymmetric)`);
      stored = one;
      const sample = db.prepare(`SELECT s.a, s.b, ca.kind AS ka, cb.kind AS kb FROM ${t} s JOIN main.codes ca ON ca.code = s.a JOIN main.codes cb ON cb.code = s.b ORDER BY s.line LIMIT 3`).all() as Array<{ a: string; b: string; ka: number; kb: number }>;
      appendAudit(db, {
        actor: input.actor, action: 'codes.import-pairs', subject: file,
        detail: { file, pairs: staged.rows, stored, alreadyPaired, samples: sample.map((s) => `${shown(s.a, s.ka)},${shown(s.b, s.kb)}`) },
      });
    }).immediate();
    return { report: buildReport('pairs', file, staged.rows, stats, issues), stored };
  } finally {
    stage.drop();
  }
}
