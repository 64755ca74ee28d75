/**
 * GS1 mod-10 check digit (GS1 General Specifications §7.9.1): weights 3,1,3,… from the rightmost data digit,
 * check = (10 − sum mod 10) mod 10. Used by GTIN, SSCC, GLN, GSRN, GDTI, GCN and friends.
 */
export function gs1CheckDigit(dataDigits: string): number {
  let sum = 0;
  for (let i = 0; i < dataDigits.length; i += 1) {
    const d = dataDigits.charCodeAt(dataDigits.length - 1 - i) - 48;
    if (d < 0 || d > 9) throw new RangeError('gs1CheckDigit takes digits only');
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether the last digit of `digits` is the GS1 mod-10 check digit of the others. */
export function hasValidGs1CheckDigit(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  return gs1CheckDigit(digits.slice(0, -1)) === Number(digits.slice(-1));
}
