/**
 * edge/packages — code packages (码包): sealed export for suppliers, verified imports of supplier packages,
 * pairing files (同级关联) and waste lists (排废). Explicit export list (STYLE.md "Shape").
 */
export { writeSealedPackage } from './seal.ts';
export { openSealedPackage, readSealedManifest, isSealedPackage } from './open-sealed.ts';
export type { OpenedPackage } from './open-sealed.ts';
export type { PackageManifest, SealedManifest } from './manifest.ts';
export { DEFAULT_SCRYPT, MIN_PASSPHRASE_LENGTH, publicKeyFingerprint } from './package-key.ts';
export type { SealKey, OpenKey, ScryptParams } from './package-key.ts';
export { exportPackage } from './export-package.ts';
export type { ExportResult } from './export-package.ts';
export { importCodePackage, IMPORT_CHUNK_ROWS } from './import-code-package.ts';
export type { CodePackageImport, ImportOutcome } from './import-code-package.ts';
export { importPairs } from './import-pairs.ts';
export type { PairsImport, PairsOutcome } from './import-pairs.ts';
export { importWaste } from './import-waste.ts';
export type { WasteImport, WasteOutcome } from './import-waste.ts';
export { formatIssues, ISSUE_REASON_LABEL, LISTED_ISSUES, MAX_KEPT_ISSUES } from './import-report.ts';
export type { ImportIssue, ImportReport, IssueReason } from './import-report.ts';
export { PackageError, PackageBugError } from './errors.ts';
export type { PackageErrorCode } from './errors.ts';
