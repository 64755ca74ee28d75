import type { MultiCodeFormat, ReadCode, ReadResult, RejectedPart, TriggerRef } from './contract.ts';
import type { DuplicateWindow } from './duplicate-window.ts';
import { parseScanData, type ScanDataExtras } from './scan-data.ts';
import { splitMessage } from './split-message.ts';

/**
 * Builds a `ReadResult` from the payload of one reader message (protocol wrapper already removed):
 * split into codes, parse each (AIM id, GS1 fields), drop duplicates within the window, keep every rejection.
 * Used by every text driver so all of them treat multi-code, GS1 and duplicates the same way.
 */
export function assembleRead(
  payload: Uint8Array,
  context: { trigger: TriggerRef; multi?: MultiCodeFormat | undefined; window: DuplicateWindow; now: number; rejected?: readonly RejectedPart[]; count?: number | undefined },
): ReadResult {
  const split = splitMessage(payload, context.multi);
  if (context.count !== undefined && split.rejected.length === 0 && split.parts.length !== context.count) {
    const mismatch: RejectedPart = {
      reason: 'count-mismatch',
      byteLength: payload.length,
      detail: `读码器报告 ${context.count} 个码，实际收到 ${split.parts.length} 个 (reader announced ${context.count} codes, message holds ${split.parts.length})`,
    };
    return assembleParts([], { ...context, rejected: [...(context.rejected ?? []), mismatch] });
  }
  return assembleParts(split.parts.map((raw) => ({ raw })), { ...context, rejected: [...(context.rejected ?? []), ...split.rejected] });
}

/** Same as `assembleRead` for protocols that deliver codes one by one (OPC UA results). */
export function assembleParts(
  parts: readonly ({ raw: Uint8Array } & ScanDataExtras)[],
  context: { trigger: TriggerRef; window: DuplicateWindow; now: number; rejected?: readonly RejectedPart[] },
): ReadResult {
  const rejected: RejectedPart[] = [...(context.rejected ?? [])];
  const codes: ReadCode[] = [];
  const inThisRead = new Set<string>();
  let suppressed = 0;
  for (const part of parts) {
    const parsed = parseScanData(part.raw, part);
    if (parsed.kind === 'rejected') {
      rejected.push(parsed.part);
      continue;
    }
    const key = `${parsed.code.aimId ?? ''}${parsed.code.text}`;
    // The same code twice in one read is not a duplicate of an earlier trigger: keep both, the station
    // rejects the case (notes/domain: no duplicate within a read).
    if (!inThisRead.has(key) && context.window.isDuplicate(key, context.now)) {
      suppressed += 1;
      continue;
    }
    inThisRead.add(key);
    codes.push(parsed.code);
  }
  if (codes.length > 0) return { kind: 'read', trigger: context.trigger, codes, suppressed, rejected, at: context.now };
  const cause = suppressed > 0 ? 'all-suppressed' : rejected.length > 0 ? 'all-rejected' : 'reader';
  return { kind: 'no-read', trigger: context.trigger, cause, suppressed, rejected, at: context.now };
}
