import type { CodeKind, CodeStatus } from '../domain/kinds.ts';
import type { RejectReason } from './reject-reason.ts';

/** What the store knows about one code, as far as the case check needs it. */
export interface CodeFacts {
  readonly kind: CodeKind;
  readonly status: CodeStatus;
  readonly packageId: number;
  readonly productId: string | null;
  readonly pair: string | null;
  readonly parent: string | null;
}

/** Port: point lookups by code value (the store implements it over the codes primary key). */
export interface CodeLookup {
  get(code: string): CodeFacts | null;
}

/** The running batch, as the case check needs it. */
export interface CaseRules {
  readonly productId: string;
  readonly unitsPerCase: number;
  /** Children (cap-outer) must have a paired inner code (盖内码). */
  readonly pairChildren: boolean;
  /** The case-outer code must have a paired case-inner code (箱内码). */
  readonly pairCase: boolean;
  readonly packageIds: ReadonlySet<number>;
  /** The child kind read through the case top: cap-outer (or box when the product has a box level). */
  readonly childKind: CodeKind;
}

/** One trigger at the case station: what the multi-code camera and the case reader returned. */
export interface CaseRead {
  readonly childCodes: readonly string[];
  /** null when the case code was not read (no-read on the case reader). */
  readonly caseCode: string | null;
  /** True when the camera reported a no-read for the whole image. */
  readonly noRead: boolean;
}

export interface Finding {
  readonly reason: RejectReason;
  /** The code concerned, when there is one (callers mask secret kinds before showing it). */
  readonly code?: string;
  readonly detail: string;
}

export type CaseDecision =
  | { readonly kind: 'accept'; readonly caseCode: string; readonly children: readonly string[] }
  | { readonly kind: 'reject'; readonly findings: readonly Finding[] };

/** Statuses a child may have before packing: printed by a supplier, or already commissioned on the line. */
const PACKABLE: ReadonlySet<CodeStatus> = new Set<CodeStatus>(['available', 'printed', 'commissioned']);
const DEAD: ReadonlySet<CodeStatus> = new Set<CodeStatus>(['rejected', 'sampled', 'destroyed', 'voided']);

/** A case code must be unused: a commissioned case-outer code already names a committed case. */
const UNUSED: ReadonlySet<CodeStatus> = new Set<CodeStatus>(['available', 'printed']);

function checkOne(code: string, expected: CodeKind, needsPair: boolean, rules: CaseRules, lookup: CodeLookup, findings: Finding[]): void {
  const facts = lookup.get(code);
  if (facts === null) {
    findings.push({ reason: 'foreign', code, detail: '未知码，不在任何码包中 (unknown code)' });
    return;
  }
  if (!rules.packageIds.has(facts.packageId)) {
    findings.push({ reason: 'foreign', code, detail: '码不属于本批次的码包 (code is outside the batch packages)' });
    return;
  }
  if (facts.kind !== expected) {
    findings.push({ reason: 'wrong', code, detail: `码类型为 ${facts.kind}，应为 ${expected} (wrong code kind)` });
    return;
  }
  if (facts.productId !== null && facts.productId !== rules.productId) {
    findings.push({ reason: 'wrong', code, detail: `码属于产品 ${facts.productId} (code belongs to another product)` });
    return;
  }
  if (DEAD.has(facts.status)) {
    findings.push({ reason: 'unusable', code, detail: `码状态为 ${facts.status} (code is ${facts.status})` });
    return;
  }
  if (facts.parent !== null || !(expected === 'case-outer' ? UNUSED : PACKABLE).has(facts.status)) {
    findings.push({ reason: 'duplicate', code, detail: '码已被使用 (code already consumed)' });
    return;
  }
  if (needsPair && facts.pair === null) {
    findings.push({ reason: 'unpaired', code, detail: '没有同级关联的内码 (no paired inner code)' });
  }
}

/**
 * Decides one case (DESIGN §6, issue 4 §2): count = ratio (缺码 / 超码); every code known and inside the batch's
 * packages (码包外); right kind and product (错码); no duplicate within the read or against the database (重码);
 * paired where pairing is required (未关联); no-read. Pure: the database is reached only through `lookup`.
 * All findings are collected (not just the first) so the reject log says everything that was wrong.
 */
export function checkCase(read: CaseRead, rules: CaseRules, lookup: CodeLookup): CaseDecision {
  const findings: Finding[] = [];
  if (read.noRead && read.childCodes.length === 0) {
    findings.push({ reason: 'no-read', detail: '读码器无读 (reader reported no-read)' });
  }
  if (read.caseCode === null) {
    findings.push({ reason: 'case-code', detail: '未读到箱码 (case code not read)' });
  }
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const code of read.childCodes) {
    if (seen.has(code)) {
      findings.push({ reason: 'duplicate', code, detail: '同一次读取中重复 (duplicate within the read)' });
      continue;
    }
    seen.add(code);
    unique.push(code);
  }
  if (!(read.noRead && read.childCodes.length === 0)) {
    if (unique.length < rules.unitsPerCase) {
      findings.push({ reason: 'missing', detail: `读到 ${unique.length} 个，应为 ${rules.unitsPerCase} 个 (${unique.length} of ${rules.unitsPerCase})` });
    } else if (unique.length > rules.unitsPerCase) {
      findings.push({ reason: 'excess', detail: `读到 ${unique.length} 个，应为 ${rules.unitsPerCase} 个 (${unique.length} of ${rules.unitsPerCase})` });
    }
  }
  for (const code of unique) checkOne(code, rules.childKind, rules.pairChildren, rules, lookup, findings);
  if (read.caseCode !== null) {
    if (seen.has(read.caseCode)) {
      findings.push({ reason: 'case-code', code: read.caseCode, detail: '箱码与瓶码相同 (case code equals a child code)' });
    } else {
      const before = findings.length;
      checkOne(read.caseCode, 'case-outer', rules.pairCase, rules, lookup, findings);
      for (let i = before; i < findings.length; i += 1) {
        const f = findings[i];
        if (f) findings[i] = { ...f, reason: f.reason === 'duplicate' || f.reason === 'foreign' || f.reason === 'wrong' || f.reason === 'unusable' ? 'case-code' : f.reason, detail: `箱码: ${f.detail}` };
      }
    }
  }
  if (findings.length > 0 || read.caseCode === null) return { kind: 'reject', findings };
  return { kind: 'accept', caseCode: read.caseCode, children: unique };
}
