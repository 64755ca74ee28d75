import { CODE_KINDS, isCodeKind, type CodeKind } from '../domain/kinds.ts';
import { PackageError } from './errors.ts';

/** What the writer of a package declares up front. `count` is checked against the lines actually written. */
export interface PackageManifest {
  /** The package uuid (code_packages.uuid). */
  readonly packageId: string;
  readonly kind: CodeKind;
  /** Number of codes = number of `\n`-terminated lines of the plaintext. */
  readonly count: number;
  readonly productId: string | null;
  /** ISO 8601 time the package was created. */
  readonly createdAt: string;
}

/** The manifest as read back from a sealed file: the declared fields plus what the writer measured. */
export interface SealedManifest extends PackageManifest {
  readonly formatVersion: number;
  /** SHA-256 of the plaintext (one code per line, each line ending in `\n`), lowercase hex. */
  readonly sha256: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks a manifest object field by field (it may come from an untrusted file); throws BAD_MANIFEST naming
 * the field path and the bad value.
 */
export function parseManifest(value: unknown, where: string): PackageManifest {
  const bad = (field: string, got: unknown, want: string): never => {
    throw new PackageError('BAD_MANIFEST', `${where}: 清单字段 ${field} 无效，收到 ${JSON.stringify(got) ?? String(got)}，应为 ${want} (manifest field ${field} is invalid: expected ${want})`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('manifest', value, '对象 (an object)');
  const m = value as Record<string, unknown>;
  if (typeof m['packageId'] !== 'string' || !UUID.test(m['packageId'])) bad('packageId', m['packageId'], 'UUID');
  if (!isCodeKind(m['kind'])) bad('kind', m['kind'], CODE_KINDS.join('|'));
  if (typeof m['count'] !== 'number' || !Number.isSafeInteger(m['count']) || m['count'] < 0) bad('count', m['count'], '非负整数 (a whole number ≥ 0)');
  const product = m['productId'] ?? null;
  if (product !== null && (typeof product !== 'string' || product.length === 0 || product.length > 200)) bad('productId', product, '产品编号或 null (a product id or null)');
  if (typeof m['createdAt'] !== 'string' || Number.isNaN(Date.parse(m['createdAt']))) bad('createdAt', m['createdAt'], 'ISO 8601 时间 (an ISO 8601 time)');
  return {
    packageId: (m['packageId'] as string).toLowerCase(),
    kind: m['kind'] as CodeKind,
    count: m['count'] as number,
    productId: product as string | null,
    createdAt: m['createdAt'] as string,
  };
}
