import type { CheckTable } from './check-table.ts';

/**
 * The GS1 mod-10 check digit of GTIN, SSCC, GLN … (GS1 General Specifications §7.9.1; notes/standards.md
 * §2.1): weights 3, 1, 3, … from the rightmost data digit; check = (10 − weighted sum mod 10) mod 10.
 * The `%` here is checksum arithmetic over key digits, never over random bytes.
 */
export function gs1CheckDigit(data: string): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 1) {
    const d = data.charCodeAt(data.length - 1 - i) - 48;
    if (d < 0 || d > 9) throw new RangeError('GS1 check digit is defined for digits only');
    sum += i % 2 === 0 ? 3 * d : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether `key` is all digits and its last digit is the GS1 check digit of the rest. */
export function hasValidGs1CheckDigit(key: string): boolean {
  if (key.length < 2 || !/^\d+$/.test(key)) return false;
  return gs1CheckDigit(key.slice(0, -1)) === key.charCodeAt(key.length - 1) - 48;
}

const tables = new Map<number, CheckTable>();

/**
 * The mod-10 check compiled to a state machine over digit indices, for keys with `dataLength` data digits.
 * State = weighted sum mod 10, plus 10 when the next digit's weight is 3 (the weight alternates, and the
 * rightmost data digit has weight 3, so the first digit's weight follows from `dataLength`).
 */
export function gs1CheckTable(dataLength: number): CheckTable {
  const cached = tables.get(dataLength);
  if (cached) return cached;
  const next = new Uint8Array(20 * 10);
  const checkByte = new Uint8Array(20);
  for (let state = 0; state < 20; state += 1) {
    const sum = state % 10;
    const weightThree = state >= 10;
    for (let d = 0; d < 10; d += 1) {
      next[state * 10 + d] = ((sum + (weightThree ? 3 : 1) * d) % 10) + (weightThree ? 0 : 10);
    }
    checkByte[state] = 48 + ((10 - sum) % 10);
  }
  const table: CheckTable = Object.freeze({ alphabetSize: 10, initial: dataLength % 2 === 1 ? 10 : 0, next, checkByte });
  tables.set(dataLength, table);
  return table;
}
