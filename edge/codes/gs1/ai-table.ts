import type { AiEntry } from './ai-entry.ts';
import { AI_ENTRIES } from './ai-table.generated.ts';

const BY_AI: ReadonlyMap<string, AiEntry> = new Map(AI_ENTRIES.map((e) => [e.ai, e]));

/** The dictionary entry of one AI (`'01'`, `'3103'`), or undefined when GS1 has not allocated it. */
export function lookupAi(ai: string): AiEntry | undefined {
  return BY_AI.get(ai);
}

/**
 * The AI that starts at `at` in raw (unbracketed) data. AIs are 2 to 4 digits and the generator checks that
 * no AI is a prefix of another, so at most one length matches.
 */
export function aiAt(data: string, at: number): AiEntry | undefined {
  for (let n = 2; n <= 4; n += 1) {
    const candidate = data.slice(at, at + n);
    if (candidate.length < n || !/^\d+$/.test(candidate)) return undefined;
    const entry = BY_AI.get(candidate);
    if (entry) return entry;
  }
  return undefined;
}
