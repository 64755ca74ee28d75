/**
 * A check-character algorithm compiled to a state machine over the symbol indices of one alphabet, so the
 * record writer computes the check character with one table lookup per character and no arithmetic.
 *
 * `next[state * alphabetSize + symbolIndex]` is the state after reading that symbol; after the last data
 * character, `checkByte[state]` is the ASCII byte of the check character. `initial` is the state before the
 * first character.
 */
export interface CheckTable {
  readonly alphabetSize: number;
  readonly initial: number;
  readonly next: Uint8Array;
  readonly checkByte: Uint8Array;
}

/** Runs `table` over symbol indices from `from`; returns the state reached. */
export function advanceCheck(table: CheckTable, indices: ArrayLike<number>, from: number = table.initial): number {
  let state = from;
  for (let i = 0; i < indices.length; i += 1) state = table.next[state * table.alphabetSize + indices[i]!]!;
  return state;
}
