import { initial } from './0001-initial.ts';
import type { Migration } from './migration.ts';

/** All migrations in order. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [initial];
export type { Migration } from './migration.ts';
