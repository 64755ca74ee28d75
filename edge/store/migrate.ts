import type Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import { MIGRATIONS } from './migrations/index.ts';

/** Brings the schema to the newest version, one migration per transaction, tracked by PRAGMA user_version. */
export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = MIGRATIONS.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new StoreError('SCHEMA_TOO_NEW', `数据库版本 ${current} 比本程序支持的 ${newest} 新，请升级 wuma (database schema ${current} is newer than this program's ${newest})`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    } catch (error) {
      throw new StoreError('MIGRATION_FAILED', `数据库迁移 ${migration.version} (${migration.name}) 失败 (migration failed)`, { cause: error });
    }
  }
  return db.pragma('user_version', { simple: true }) as number;
}
