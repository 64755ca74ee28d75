/**
 * Masks a code for logs and messages (STYLE.md "Logging and secrets"): cap-inner codes are printed by coders,
 * so a driver must never log one in full. printers/ cannot import edge/domain/mask.ts, hence this copy:
 * keep the first 4 and last 2 characters, e.g. `N7K2…Q9`; codes of 8 characters or fewer show only `…`.
 */
export function maskCode(code: string): string {
  const chars = [...code];
  if (chars.length <= 8) return '…';
  return `${chars.slice(0, 4).join('')}…${chars.slice(-2).join('')}`;
}
