import type Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_PROFILES, type CodeProfile } from '../codes/profile.ts';
import { verifyCode } from '../codes/verify-code.ts';
import { CODE_KIND_LABEL_ZH, CODE_STATUS_LABEL_ZH, SECRET_KINDS, kindFromInt, kindToInt, statusFromInt, statusToInt, type CodeKind } from '../domain/kinds.ts';
import { displayCode, maskCode } from '../domain/mask.ts';
import { appendAudit } from '../store/audit.ts';
import { PackageError } from './errors.ts';
import { fileChunks, sha256Hasher } from './file-source.ts';
import { IssueCollector, buildReport, type ImportReport } from './import-report.ts';
import type { SealedManifest } from './manifest.ts';
import { isSealedPackage, openSealedPackage } from './open-sealed.ts';
import type { OpenKey } from './package-key.ts';
import { readLines, type LineStats } from './read-lines.ts';
import { StageTable } from './stage-table.ts';

/** Codes per insert transaction (sorted by code, so each lands at the right edge of its key range). */
export const IMPORT_CHUNK_ROWS = 1_000_000;

export interface CodePackageImport {
  readonly path: string;
  /** Required for a plain file; for a sealed package it must match the manifest when given. */
  readonly kind: CodeKind | null;
  readonly productId: string | null;
  readonly supplier: string | null;
  /** Needed for a sealed package. */
  readonly key: OpenKey | null;
  /** Expectations for a plain file (from --count/--sha256 or FILE.manifest.json beside it). */
  readonly expectCount?: number | null;
  readonly expectSha256?: string | null;
  readonly actor: string;
  readonly onProgress?: (linesRead: number) => void;
}

export interface ImportOutcome {
  readonly report: ImportReport;
  /** The new package's uuid when stored, else null. */
  readonly packageUuid: string | null;
  readonly stored: number;
}

interface SideManifest {
  readonly count: number | null;
  readonly sha256: string | null;
  readonly packageId: string | null;
}

/** FILE.manifest.json beside a plain file: `{count, sha256, packageId?}` as a supplier may send it. */
function readSideManifest(path: string): SideManifest | null {
  const side = `${path}.manifest.json`;
  if (!existsSync(side)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(side, 'utf8'));
  } catch (error) {
    throw new PackageError('BAD_INPUT', `${basename(side)}: 不是有效的 JSON (not valid JSON): ${(error as Error).message}`, { cause: error });
  }
  const m = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const count = m['count'];
  const sha = m['sha256'];
  const id = m['packageId'];
  if (count !== undefined && (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0)) {
    throw new PackageError('BAD_INPUT', `${basename(side)}: 字段 count 应为非负整数，收到 ${JSON.stringify(count)} (field count must be a whole number)`);
  }
  if (sha !== undefined && (typeof sha !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha))) {
    throw new PackageError('BAD_INPUT', `${basename(side)}: 字段 sha256 应为 64 位十六进制，收到 ${JSON.stringify(sha)} (field sha256 must be 64 hex digits)`);
  }
  if (id !== undefined && (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id))) {
    throw new PackageError('BAD_INPUT', `${basename(side)}: 字段 packageId 应为 UUID，收到 ${JSON.stringify(id)} (field packageId must be a UUID)`);
  }
  return { count: (count as number | undefined) ?? null, sha256: (sha as string | undefined)?.toLowerCase() ?? null, packageId: (id as string | undefined)?.toLowerCase() ?? null };
}

function profileFor(db: Database.Database, productId: string | null, kind: CodeKind): CodeProfile {
  if (productId === null) return DEFAULT_PROFILES[kind];
  const row = db.prepare('SELECT profiles FROM products WHERE id = ?').get(productId) as { profiles: string } | undefined;
  if (!row) throw new PackageError('NOT_FOUND', `产品不存在: ${productId} (product not found; wuma product list)`);
  const profiles = JSON.parse(row.profiles) as Record<string, CodeProfile | undefined>;
  return profiles[kind] ?? DEFAULT_PROFILES[kind];
}

/**
 * Imports a supplier's code package (sealed, or plain text with one code per line) as a new package of
 * pre-printed codes (status printed, DESIGN §4). Everything is checked before anything is stored: the
 * sealed records and manifest (count, SHA-256), each code's format and check character for the kind's
 * profile, duplicates within the file and against every code the station ever stored. When any check fails
 * the report lists the issues and nothing is written; otherwise the package row and its codes are written
 * in sorted transactions of IMPORT_CHUNK_ROWS (the package stays 'writing' until the last one commits, so
 * a crash leaves the whole package or nothing: store/recover.ts), with one audit row.
 */
export async function importCodePackage(db: Database.Database, input: CodePackageImport): Promise<ImportOutcome> {
  const file = basename(input.path);
  if (!existsSync(input.path)) throw new PackageError('BAD_INPUT', `文件不存在: ${input.path} (file not found)`);
  const issues = new IssueCollector(file);
  const stats: LineStats = { lines: 0, bom: false, crlf: 0 };
  let blank = 0;
  let trimmed = 0;
  let codes = 0;
  const canonical = createHash('sha256');
  const raw = sha256Hasher();
  const sealed = await isSealedPackage(input.path);
  let manifest: SealedManifest | null = null;
  let side: SideManifest | null = null;
  let source: AsyncIterable<Buffer>;
  const fail = (): ImportOutcome => ({ report: buildReport('package', file, codes, { sealed, kind: input.kind }, issues), packageUuid: null, stored: 0 });

  if (sealed) {
    if (input.key === null) throw new PackageError('BAD_INPUT', `${file} 是加密码包，需要 --passphrase-file、--private-key 或环境变量 WUMA_PACKAGE_PASSPHRASE (sealed package: a key is required)`);
    try {
      const opened = await openSealedPackage(input.path, input.key);
      manifest = opened.manifest;
      source = opened.plaintext();
    } catch (error) {
      if (!(error instanceof PackageError) || error.code === 'IO') throw error;
      issues.add(0, 'sealed-package', error.message);
      return fail();
    }
    if (input.kind !== null && input.kind !== manifest.kind) {
      issues.add(0, 'wrong-kind', `清单码类型为 ${manifest.kind}，命令指定 ${input.kind} (manifest kind ${manifest.kind}, --kind ${input.kind})`);
      return fail();
    }
  } else {
    if (input.kind === null) throw new PackageError('BAD_INPUT', '明文码包需要 --kind (a plain file needs --kind)');
    side = readSideManifest(input.path);
    source = fileChunks(input.path, raw);
  }
  const kind = (manifest?.kind ?? input.kind) as CodeKind;
  const productId = input.productId ?? (manifest?.productId && db.prepare('SELECT 1 FROM products WHERE id = ?').get(manifest.productId) ? manifest.productId : null);
  const profile = profileFor(db, productId, kind);
  const uuid = manifest?.packageId ?? side?.packageId ?? randomUUID();
  if (db.prepare('SELECT 1 FROM code_packages WHERE uuid = ?').get(uuid)) {
    issues.add(0, 'package-exists', `码包 ${uuid} 已导入过 (package ${uuid} was already imported)`);
  }

  const stage = new StageTable(db, 'wuma_import_codes', ['code']);
  try {
    try {
      for await (const batch of readLines(source, stats)) {
        const rows: Array<string | null> = new Array<string | null>(batch.texts.length).fill(null);
        batch.texts.forEach((text, i) => {
          const line = batch.first + i;
          if (text === null) {
            issues.add(line, 'line-too-long', '行超过 512 字节，不是一个码 (line longer than 512 bytes: not a code)');
            return;
          }
          const code = text.trim();
          if (code.length === 0) {
            blank += 1;
            return;
          }
          if (code !== text) trimmed += 1;
          codes += 1;
          canonical.update(code).update('\n');
          rows[i] = code;
          const verdict = verifyCode(code, profile);
          if (!verdict.ok) issues.add(line, verdict.reason === 'check-char' || verdict.reason === 'check-digit' ? 'check-char' : 'format', `${verdict.message} 码 (code) ${displayCode(code, kind)}`);
        });
        stage.insert(batch.first, rows);
        input.onProgress?.(stats.lines);
      }
    } catch (error) {
      if (!(error instanceof PackageError) || error.code === 'IO') throw error;
      issues.add(error.code === 'TRUNCATED' || error.code === 'TAMPERED' ? stats.lines + 1 : 0, 'sealed-package', error.message);
      return fail();
    }

    const canonicalSha = canonical.digest('hex');
    const rawSha = sealed ? canonicalSha : raw.digest('hex');
    const expectCount = input.expectCount ?? side?.count ?? null;
    const expectSha = input.expectSha256?.toLowerCase() ?? side?.sha256 ?? null;
    if (expectCount !== null && expectCount !== codes) {
      issues.add(0, 'count-mismatch', `应有 ${expectCount} 个码，文件中有 ${codes} 个 (expected ${expectCount} codes, the file has ${codes})`);
    }
    if (expectSha !== null && expectSha !== canonicalSha && expectSha !== rawSha) {
      issues.add(0, 'sha-mismatch', `SHA-256 应为 ${expectSha}，文件为 ${rawSha}（规范化后 ${canonicalSha}） (SHA-256 expected ${expectSha}, file ${rawSha}, normalised ${canonicalSha})`);
    }

    const byCode = stage.index('code');
    const lineOf = db.prepare(`SELECT line FROM temp.${stage.name} WHERE code = ? AND line > ? ORDER BY line`).pluck();
    for (const g of db.prepare(`SELECT code, min(line) AS first, count(*) AS n FROM temp.${stage.name} INDEXED BY ${byCode} GROUP BY code HAVING n > 1`).iterate() as IterableIterator<{ code: string; first: number; n: number }>) {
      for (const line of lineOf.all(g.code, g.first) as number[]) {
        issues.add(line, 'duplicate-in-file', `码 ${displayCode(g.code, kind)} 与第 ${g.first} 行重复 (duplicates line ${g.first})`);
      }
    }
    const known = db.prepare(`SELECT s.line, s.code, c.kind, c.status, p.uuid FROM temp.${stage.name} s INDEXED BY ${byCode}
      JOIN main.codes c ON c.code = s.code LEFT JOIN main.code_packages p ON p.id = c.package_id`);
    for (const r of known.iterate() as IterableIterator<{ line: number; code: string; kind: number; status: number; uuid: string | null }>) {
      const storedKind = kindFromInt(r.kind);
      const shown = SECRET_KINDS.has(kind) || SECRET_KINDS.has(storedKind) ? maskCode(r.code) : r.code;
      issues.add(r.line, 'duplicate-in-db', `码 ${shown} 已在库中：${CODE_KIND_LABEL_ZH[storedKind]}，${CODE_STATUS_LABEL_ZH[statusFromInt(r.status)]}，码包 ${r.uuid ?? '?'} (already stored: ${storedKind}, ${statusFromInt(r.status)}, package ${r.uuid ?? '?'})`);
    }
    const stats2 = { sealed, kind, productId, supplier: input.supplier, packageId: uuid, blankLines: blank, trimmedLines: trimmed, crlfLines: stats.crlf, bom: stats.bom, sha256: canonicalSha, rawSha256: rawSha };
    if (issues.total > 0) return { report: buildReport('package', file, codes, stats2, issues), packageUuid: null, stored: 0 };

    const stored = storePackage(db, stage, byCode, { uuid, kind, productId, supplier: input.supplier, profile, sha256: canonicalSha, count: codes, actor: input.actor, file, sealed });
    return { report: buildReport('package', file, codes, stats2, issues), packageUuid: uuid, stored };
  } finally {
    stage.drop();
  }
}

interface StoreInput {
  readonly uuid: string;
  readonly kind: CodeKind;
  readonly productId: string | null;
  readonly supplier: string | null;
  readonly profile: CodeProfile;
  readonly sha256: string;
  readonly count: number;
  readonly actor: string;
  readonly file: string;
  readonly sealed: boolean;
}

function storePackage(db: Database.Database, stage: StageTable, byCode: string, p: StoreInput): number {
  const t = `temp.${stage.name} INDEXED BY ${byCode}`;
  const upperOf = db.prepare(`SELECT code FROM ${t} WHERE code > ? ORDER BY code LIMIT 1 OFFSET ${IMPORT_CHUNK_ROWS - 1}`).pluck();
  const insertRange = db.prepare(`INSERT INTO main.codes (code, kind, status, package_id) SELECT code, @kind, @status, @pkg FROM ${t} WHERE code > @after AND code <= @upper ORDER BY code`);
  const insertRest = db.prepare(`INSERT INTO main.codes (code, kind, status, package_id) SELECT code, @kind, @status, @pkg FROM ${t} WHERE code > @after ORDER BY code`);
  const samples = (db.prepare(`SELECT code FROM ${t} ORDER BY line LIMIT 3`).pluck().all() as string[]).map((c) => displayCode(c, p.kind));
  const now = new Date().toISOString();
  let pkg = 0;
  let stored = 0;
  let after = '';
  try {
    for (let done = false; !done;) {
      db.transaction(() => {
        if (pkg === 0) {
          pkg = Number(db.prepare(`INSERT INTO code_packages (uuid, kind, product_id, source, supplier, count, state, owner_pid, profile, sha256, created_at)
            VALUES (?, ?, ?, 'imported', ?, 0, 'writing', ?, ?, ?, ?)`).run(p.uuid, kindToInt(p.kind), p.productId, p.supplier, process.pid, JSON.stringify(p.profile), p.sha256, now).lastInsertRowid);
        }
        const upper = upperOf.get(after) as string | undefined;
        const args = { kind: kindToInt(p.kind), status: statusToInt('printed'), pkg, after, upper };
        stored += (upper === undefined ? insertRest.run(args) : insertRange.run(args)).changes;
        if (upper !== undefined) {
          after = upper;
          return;
        }
        done = true;
        if (stored !== p.count) throw new PackageError('BAD_INPUT', `写入 ${stored} 个码，应为 ${p.count} (stored ${stored} codes, expected ${p.count})`);
        db.prepare("UPDATE code_packages SET state = 'ready', count = ?, owner_pid = NULL, finished_at = ? WHERE id = ?").run(stored, new Date().toISOString(), pkg);
        appendAudit(db, {
          actor: p.actor, action: 'codes.import-package', subject: p.uuid,
          detail: { file: p.file, sealed: p.sealed, kind: p.kind, productId: p.productId, supplier: p.supplier, count: stored, sha256: p.sha256, samples },
        });
      }).immediate();
    }
  } catch (error) {
    // A failure after the first commit (disk full, a code stored meanwhile by another process): remove what
    // was written so the package is whole or absent, as recovery would after a crash.
    if (pkg !== 0) {
      db.transaction(() => {
        db.prepare('DELETE FROM codes WHERE package_id = ?').run(pkg);
        db.prepare("UPDATE code_packages SET state = 'aborted', count = 0, finished_at = ? WHERE id = ? AND state = 'writing'").run(new Date().toISOString(), pkg);
      }).immediate();
    }
    throw error;
  }
  return stored;
}
