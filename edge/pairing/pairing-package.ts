/**
 * The sealed pairing package (配对包, issue 15 §3): what a supplier's pairing station returns to the brand.
 *
 * It is a sealed code package (edge/packages/sealed-format.ts, unchanged: AES-256-GCM records, authenticated
 * manifest, sealed to the brand's X25519 key or a passphrase) whose manifest is `{packageId: the run's uuid,
 * kind: the inner kind, count: lines}` and whose plaintext is, one "\n"-terminated line each:
 *
 *   WUMA-PAIRING 1 {"run":…,"line":…,"innerPackage":…,"outerPackage":…,"pairs":N,"waste":M,"byReason":{…},"createdAt":…}
 *   P <TAB> inner <TAB> outer                    one per pair, in item order
 *   W <TAB> reason <TAB> inner|- <TAB> outer|-    one per waste item (排废), in item order
 *   S <TAB> signer SPKI (base64) <TAB> Ed25519 signature (base64)   last line
 *
 * The signature is the supplier station's Ed25519 signature over SHA-256 of every byte before the S line. So the
 * counts of pairs and waste (the pairing manifest, first line) are both encrypted-and-authenticated by the sealed
 * format and signed by the station; the brand accepts the file only when the signer is the key it trusts for
 * that supplier. Inner codes exist in plaintext only inside the encrypted records.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { basename } from 'node:path';
import { kindFromInt, type CodeKind } from '../domain/kinds.ts';
import { maskCode } from '../domain/mask.ts';
import { openSealedPackage, writeSealedPackage, PackageError, publicKeyFingerprint, type ImportReport, type OpenKey, type SealKey } from '../packages/index.ts';
import { IssueCollector, buildReport } from '../packages/import-report.ts';
import { stageLines } from '../packages/stage-lines.ts';
import { StageTable } from '../packages/stage-table.ts';
import { appendAudit } from '../store/audit.ts';
import type { Db } from '../store/open.ts';
import {
  OUTER_KIND_OF, PAIRING_WASTE_REASONS, getPairingRun, markPairingExported, pairingCounts, pairingItemRows, type PairingCounts, type PairingWasteReason,
} from '../store/pairing-items.ts';

export const PAIRING_MAGIC = 'WUMA-PAIRING';
export const PAIRING_VERSION = 1;

export interface PairingManifest {
  readonly run: string;
  readonly line: string;
  readonly innerPackage: string;
  readonly outerPackage: string;
  readonly innerKind: CodeKind;
  readonly pairs: number;
  readonly waste: number;
  readonly byReason: Readonly<Record<PairingWasteReason, number>>;
  readonly createdAt: string;
}

function requireEd25519(key: KeyObject, want: 'private' | 'public', where: string): void {
  if (key.type !== want || key.asymmetricKeyType !== 'ed25519') {
    throw new PackageError('BAD_KEY', `${where}: 应为 Ed25519 ${want === 'private' ? '私钥' : '公钥'}，收到 ${key.asymmetricKeyType ?? '?'} ${key.type} (must be an Ed25519 ${want} key; openssl genpkey -algorithm ed25519)`);
  }
}

export interface PairingExport {
  readonly manifest: PairingManifest;
  readonly sha256: string;
  readonly bytes: number;
  readonly signer: string;
}

/**
 * Writes the sealed pairing package of a CLOSED run to `outPath` (atomic, see writeSealedPackage) and records the
 * export (audit row). A running run is refused: its counts could still change.
 */
export async function exportPairingPackage(db: Db, runUuid: string, outPath: string, seal: SealKey, signingKey: KeyObject, actor: string): Promise<PairingExport> {
  requireEd25519(signingKey, 'private', '签名密钥 (signing key)');
  const run = getPairingRun(db, { uuid: runUuid });
  if (run === null) throw new PackageError('NOT_FOUND', `配对任务 ${runUuid} 不存在 (pairing run not found)`);
  if (run.state !== 'closed') throw new PackageError('BAD_INPUT', `配对任务 ${runUuid} 仍在进行，请先结束 (pairing run still running; close it first)`);
  const runId = run.id;
  const counts: PairingCounts = pairingCounts(db, runId);
  const manifest: PairingManifest = {
    run: run.uuid, line: run.line, innerPackage: run.innerPackageUuid, outerPackage: run.outerPackageUuid, innerKind: run.innerKind,
    pairs: counts.paired, waste: counts.waste, byReason: counts.byReason, createdAt: new Date().toISOString(),
  };
  const hash = createHash('sha256');
  const spki = createPublicKey(signingKey).export({ type: 'spki', format: 'der' }).toString('base64');
  async function* lines(): AsyncGenerator<Uint8Array> {
    const emit = (text: string): Buffer => {
      const b = Buffer.from(`${text}\n`, 'utf8');
      hash.update(b);
      return b;
    };
    yield emit(`${PAIRING_MAGIC} ${PAIRING_VERSION} ${JSON.stringify(manifest)}`);
    let batch: Buffer[] = [];
    for (const r of pairingItemRows(db, runId)) {
      batch.push(emit(r.outcome === 'paired' ? `P\t${r.inner ?? ''}\t${r.outer ?? ''}` : `W\t${r.reason ?? ''}\t${r.inner ?? '-'}\t${r.outer ?? '-'}`));
      if (batch.length >= 1024) {
        yield Buffer.concat(batch);
        batch = [];
      }
    }
    if (batch.length > 0) yield Buffer.concat(batch);
    const signature = sign(null, hash.digest(), signingKey).toString('base64');
    yield Buffer.from(`S\t${spki}\t${signature}\n`, 'utf8');
  }
  const sealed = await writeSealedPackage(outPath, { packageId: run.uuid, kind: run.innerKind, count: counts.items + 2, productId: null, createdAt: manifest.createdAt }, lines(), seal);
  markPairingExported(db, run.id, sealed.sha256, actor, basename(outPath));
  return { manifest, sha256: sealed.sha256, bytes: sealed.bytes, signer: publicKeyFingerprint(createPublicKey(signingKey)) };
}

export interface PairingPackageImport {
  readonly path: string;
  readonly key: OpenKey;
  /** The Ed25519 public key the brand trusts for this supplier's station. */
  readonly trustedSigner: KeyObject;
  readonly actor: string;
}

export interface PairingImportOutcome {
  readonly report: ImportReport;
  readonly manifest: PairingManifest | null;
  /** Pairs stored (new) and marked camera-verified. */
  readonly stored: number;
  /** Codes of waste items voided here (known, unpaired, not yet used). */
  readonly voided: number;
  /** The same file was imported before: nothing changed. */
  readonly alreadyImported: boolean;
}

const LINE = /^(P|W|S)\t/;
const V1_REASONS: readonly PairingWasteReason[] = ['one-side', 'duplicate', 'foreign', 'already-paired', 'slipped'];

function parseHeader(text: string, issues: IssueCollector): PairingManifest | null {
  const prefix = `${PAIRING_MAGIC} ${PAIRING_VERSION} `;
  if (!text.startsWith(prefix)) {
    issues.add(1, 'format', `第一行应以 "${prefix}" 开头，这不是配对包 (first line must start with "${prefix}": not a pairing package)`);
    return null;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(prefix.length));
  } catch {
    issues.add(1, 'format', '配对清单不是有效 JSON (pairing manifest is not valid JSON)');
    return null;
  }
  const m = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const bad = (field: string): null => {
    issues.add(1, 'format', `配对清单字段 ${field} 无效 (pairing manifest field ${field} is invalid)`);
    return null;
  };
  for (const f of ['run', 'line', 'innerPackage', 'outerPackage', 'createdAt'] as const) if (typeof m[f] !== 'string' || (m[f] as string).length === 0) return bad(f);
  if (m['innerKind'] !== 'cap-inner' && m['innerKind'] !== 'case-inner') return bad('innerKind');
  for (const f of ['pairs', 'waste'] as const) if (typeof m[f] !== 'number' || !Number.isSafeInteger(m[f]) || (m[f] as number) < 0) return bad(f);
  const br = (typeof m['byReason'] === 'object' && m['byReason'] !== null ? m['byReason'] : null) as Record<string, unknown> | null;
  // The reasons of the first pairing stations are required; a reason added later (print-failed) may be absent
  // from an older station's manifest and counts 0 then.
  if (br === null || V1_REASONS.some((r) => typeof br[r] !== 'number') || PAIRING_WASTE_REASONS.some((r) => br[r] !== undefined && typeof br[r] !== 'number')) return bad('byReason');
  const byReason = Object.fromEntries(PAIRING_WASTE_REASONS.map((r) => [r, (br[r] as number | undefined) ?? 0]));
  return { ...m, byReason } as unknown as PairingManifest;
}

/**
 * The brand-side import of a sealed pairing package, verified in full before anything is written (the rules of
 * the other imports: every issue names file, line and reason; any issue → nothing stored):
 * - the sealed file opens with the key and every record authenticates (TAMPERED / TRUNCATED / SHA_MISMATCH throw);
 * - the first line is a pairing manifest, the last a signature by the trusted supplier key over all lines before it;
 * - the manifest's pair and waste counts equal the lines, and the sealed manifest's packageId is the run;
 * - every pair: both codes known here, inner of the manifest's inner package, outer of its outer package, the
 *   kinds of one level, not paired to another code, no code twice in the file;
 * - a file already imported (same run, same SHA-256) changes nothing; the same run with other content is refused.
 * Clean → in ONE transaction: `codes.pair` on both rows, a `camera_pairs` row per pair (camera-verified), waste
 * codes that are known, unpaired and unused voided, one `pairing_imports` row and one audit row.
 */
export async function importPairingPackage(db: Db, input: PairingPackageImport): Promise<PairingImportOutcome> {
  requireEd25519(input.trustedSigner, 'public', '供应商公钥 (supplier key)');
  const file = basename(input.path);
  const opened = await openSealedPackage(input.path, input.key);
  const issues = new IssueCollector(file);
  const stage = new StageTable(db, 'wuma_import_pairing', ['t', 'a', 'b', 'r']);
  const hash = createHash('sha256');
  let manifest: PairingManifest | null = null;
  let signature: { line: number; spki: string; sig: string } | null = null;
  let lineNo = 0;
  try {
    const staged = await stageLines(opened.plaintext(), stage, issues, (text, line) => {
      lineNo = line;
      if (line === 1) {
        hash.update(`${text}\n`);
        manifest = parseHeader(text, issues);
        return null;
      }
      if (signature !== null) {
        issues.add(line, 'bad-line', `签名行之后还有内容 (lines after the signature line, line ${signature.line})`);
        return null;
      }
      if (!LINE.test(text)) {
        issues.add(line, 'bad-line', '行应以 P、W 或 S 加制表符开头 (line must start with P, W or S and a tab)');
        return null;
      }
      const f = text.split('\t');
      if (f[0] === 'S') {
        if (f.length !== 3) issues.add(line, 'bad-line', '签名行应为 "S<TAB>公钥<TAB>签名" (signature line must be S, key, signature)');
        else signature = { line, spki: f[1] ?? '', sig: f[2] ?? '' };
        return null;
      }
      hash.update(`${text}\n`);
      if (f[0] === 'P') {
        if (f.length !== 3 || !f[1] || !f[2]) {
          issues.add(line, 'bad-line', '配对行应为 "P<TAB>内码<TAB>外码" (pair line must be P, inner, outer)');
          return null;
        }
        return ['P', f[1], f[2], ''];
      }
      if (f.length !== 4 || !(PAIRING_WASTE_REASONS as readonly string[]).includes(f[1] ?? '')) {
        issues.add(line, 'bad-line', `废码行应为 "W<TAB>原因<TAB>内码|-<TAB>外码|-"，原因为 ${PAIRING_WASTE_REASONS.join('/')} (waste line must be W, reason, inner or -, outer or -)`);
        return null;
      }
      return ['W', f[2] === '-' ? '' : (f[2] ?? ''), f[3] === '-' ? '' : (f[3] ?? ''), f[1] ?? ''];
    });
    const m = manifest as PairingManifest | null;
    const sig = signature as { line: number; spki: string; sig: string } | null;
    if (sig === null) issues.add(lineNo, 'format', '缺少签名行（最后一行） (signature line missing: must be the last line)');
    else {
      let signer: KeyObject | null = null;
      try {
        signer = createPublicKey({ key: Buffer.from(sig.spki, 'base64'), format: 'der', type: 'spki' });
      } catch {
        issues.add(sig.line, 'format', '签名行中的公钥无效 (signer key in the signature line is invalid)');
      }
      if (signer !== null) {
        const trusted = publicKeyFingerprint(input.trustedSigner);
        const got = publicKeyFingerprint(signer);
        if (got !== trusted) issues.add(sig.line, 'format', `签名者 ${got.slice(0, 16)}… 不是受信任的供应商公钥 ${trusted.slice(0, 16)}… (signed by another key than the trusted supplier key)`);
        else if (!verify(null, hash.digest(), input.trustedSigner, Buffer.from(sig.sig, 'base64'))) {
          issues.add(sig.line, 'format', '签名校验失败，内容与签名不符 (signature does not verify: content differs from what the supplier signed)');
        }
      }
    }
    const t = `temp.${stage.name}`;
    const count = (type: 'P' | 'W'): number => db.prepare(`SELECT count(*) FROM ${t} WHERE t = ?`).pluck().get(type) as number;
    const pairs = count('P');
    const waste = count('W');
    if (m !== null) {
      if (m.run !== opened.manifest.packageId) issues.add(1, 'format', `配对清单的任务 ${m.run} 与加密清单 ${opened.manifest.packageId} 不符 (pairing manifest run differs from the sealed manifest)`);
      if (m.pairs !== pairs) issues.add(0, 'count-mismatch', `清单声明 ${m.pairs} 对，文件中 ${pairs} 对 (manifest declares ${m.pairs} pairs, file has ${pairs})`);
      if (m.waste !== waste) issues.add(0, 'count-mismatch', `清单声明 ${m.waste} 个废品，文件中 ${waste} 个 (manifest declares ${m.waste} waste items, file has ${waste})`);
    }
    const previous = m === null ? undefined : db.prepare('SELECT sha256 FROM pairing_imports WHERE uuid = ?').pluck().get(m.run) as string | undefined;
    if (issues.total === 0 && previous !== undefined) {
      if (previous === opened.manifest.sha256) {
        return { report: buildReport('pairs', file, staged.rows, { pairs, waste, alreadyImported: true }, issues), manifest: m, stored: 0, voided: 0, alreadyImported: true };
      }
      issues.add(0, 'package-exists', `配对任务 ${m?.run ?? ''} 已导入过内容不同的配对包 (a different pairing package of this run was imported before)`);
    }
    const pkg = db.prepare('SELECT id, kind FROM code_packages WHERE uuid = ?');
    const innerPkg = m === null ? undefined : pkg.get(m.innerPackage.toLowerCase()) as { id: number; kind: number } | undefined;
    const outerPkg = m === null ? undefined : pkg.get(m.outerPackage.toLowerCase()) as { id: number; kind: number } | undefined;
    if (m !== null && (innerPkg === undefined || outerPkg === undefined)) {
      issues.add(1, 'unknown-code', `配对包引用的码包不在本库 (inner ${m.innerPackage} / outer ${m.outerPackage} not in this database)`);
    } else if (innerPkg !== undefined && outerPkg !== undefined && OUTER_KIND_OF[kindFromInt(innerPkg.kind)] !== kindFromInt(outerPkg.kind)) {
      issues.add(1, 'wrong-kind', '配对包引用的两个码包不是同级内外码 (the two packages are not the inner and outer kind of one level)');
    }
    stage.index('a');
    stage.index('b');
    for (const g of db.prepare(`SELECT code, min(line) AS first, count(*) AS n FROM (SELECT a AS code, line FROM ${t} WHERE t = 'P' UNION ALL SELECT b, line FROM ${t} WHERE t = 'P') GROUP BY code HAVING n > 1`).iterate() as IterableIterator<{ code: string; first: number; n: number }>) {
      for (const line of db.prepare(`SELECT line FROM ${t} WHERE t = 'P' AND (a = ? OR b = ?) AND line > ? ORDER BY line`).pluck().all(g.code, g.code, g.first) as number[]) {
        issues.add(line, 'duplicate-in-file', `码 ${maskCode(g.code)} 在第 ${g.first} 行已出现 (code already appears on line ${g.first})`);
      }
    }
    let alreadyPaired = 0;
    if (innerPkg !== undefined && outerPkg !== undefined) {
      const rows = db.prepare(`SELECT s.line, s.a, s.b, ca.package_id AS pa_pkg, ca.pair AS pa, cb.package_id AS pb_pkg, cb.pair AS pb
        FROM ${t} s LEFT JOIN main.codes ca ON ca.code = s.a LEFT JOIN main.codes cb ON cb.code = s.b WHERE s.t = 'P' ORDER BY s.line`);
      for (const r of rows.iterate() as IterableIterator<{ line: number; a: string; b: string; pa_pkg: number | null; pa: string | null; pb_pkg: number | null; pb: string | null }>) {
        if (r.pa_pkg === null) issues.add(r.line, 'unknown-code', `内码 ${maskCode(r.a)} 不在库中 (inner code not in the database)`);
        else if (r.pa_pkg !== innerPkg.id) issues.add(r.line, 'wrong-kind', `内码 ${maskCode(r.a)} 不属于清单的内码码包 (inner code is not of the manifest's inner package)`);
        if (r.pb_pkg === null) issues.add(r.line, 'unknown-code', `外码 ${r.b} 不在库中 (outer code not in the database)`);
        else if (r.pb_pkg !== outerPkg.id) issues.add(r.line, 'wrong-kind', `外码 ${r.b} 不属于清单的外码码包 (outer code is not of the manifest's outer package)`);
        if (r.pa_pkg === null || r.pb_pkg === null) continue;
        if (r.pa === r.b && r.pb === r.a) {
          alreadyPaired += 1;
          continue;
        }
        if (r.pa !== null) issues.add(r.line, 'already-paired', `内码 ${maskCode(r.a)} 已与 ${r.pa} 关联 (inner code already paired with another code)`);
        if (r.pb !== null) issues.add(r.line, 'already-paired', `外码 ${r.b} 已与其他码关联 (outer code already paired with another code)`);
      }
    }
    const stats = { pairs, waste, alreadyPaired, alreadyImported: false };
    if (issues.total > 0 || m === null) return { report: buildReport('pairs', file, staged.rows, stats, issues), manifest: m, stored: 0, voided: 0, alreadyImported: false };

    let stored = 0;
    let voided = 0;
    const now = new Date().toISOString();
    db.transaction(() => {
      const one = db.prepare(`UPDATE main.codes SET pair = s.b FROM ${t} AS s WHERE s.t = 'P' AND codes.code = s.a AND codes.pair IS NULL`).run().changes;
      const two = db.prepare(`UPDATE main.codes SET pair = s.a FROM ${t} AS s WHERE s.t = 'P' AND codes.code = s.b AND codes.pair IS NULL`).run().changes;
      if (one !== two) throw new PackageError('BAD_INPUT', `关联写入不对称 ${one}/${two} (pair update asymmetric)`);
      stored = one;
      db.prepare(`INSERT OR REPLACE INTO main.camera_pairs (inner, outer, package_uuid, imported_at) SELECT a, b, ?, ? FROM ${t} WHERE t = 'P'`).run(m.run, now);
      // Waste: a known code no pair holds and not yet used may sit on a shredded cap: voided (DESIGN §4).
      for (const col of ['a', 'b'] as const) {
        voided += db.prepare(`UPDATE main.codes SET status = 8 FROM ${t} AS s WHERE s.t = 'W' AND s.${col} <> '' AND codes.code = s.${col}
          AND codes.pair IS NULL AND codes.status IN (0, 1) AND codes.package_id IN (?, ?)`).run(innerPkg?.id ?? -1, outerPkg?.id ?? -1).changes;
      }
      db.prepare('INSERT INTO main.pairing_imports (uuid, file, sha256, pairs, waste, signer, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(m.run, file, opened.manifest.sha256, pairs, waste, publicKeyFingerprint(input.trustedSigner), now);
      appendAudit(db, { actor: input.actor, action: 'codes.import-pairing', subject: file, at: now, detail: { run: m.run, line: m.line, pairs, waste, stored, alreadyPaired, voided, byReason: m.byReason, signer: publicKeyFingerprint(input.trustedSigner) } });
    }).immediate();
    return { report: buildReport('pairs', file, staged.rows, stats, issues), manifest: m, stored, voided, alreadyImported: false };
  } finally {
    stage.drop();
    await opened.close();
  }
}

/** Camera-verified pairs of a set of inner codes' packages (the batch report's share of verified pairs). */
export function cameraVerifiedCount(db: Db, packageUuid: string): number {
  return db.prepare('SELECT count(*) FROM camera_pairs c JOIN codes k ON k.code = c.inner JOIN code_packages p ON p.id = k.package_id WHERE p.uuid = ?').pluck().get(packageUuid.toLowerCase()) as number;
}
