import type Database from 'better-sqlite3';

/**
 * A TEMP staging table for one import: the file's lines go here first (one native call per batch through
 * json_each), all checks run as SQL against it (duplicates by GROUP BY over an index, against the database
 * by joining `main.codes`), and only a clean file is copied into `main`. TEMP tables live in SQLite's temp
 * store, not in the station file, so a refused import leaves the station database untouched; duplicate
 * detection never needs a JS Set (which caps at 2^24 entries).
 */
export class StageTable {
  readonly name: string;
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;

  constructor(db: Database.Database, name: string, columns: readonly string[]) {
    this.#db = db;
    this.name = name;
    db.exec(`DROP TABLE IF EXISTS temp.${name}; CREATE TEMP TABLE ${name} (line INTEGER PRIMARY KEY, ${columns.map((c) => `${c} TEXT NOT NULL`).join(', ')})`);
    const select = columns.length === 1 ? 'value' : columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ');
    this.#insert = db.prepare(`INSERT INTO temp.${name} (line, ${columns.join(', ')}) SELECT @first + key, ${select} FROM json_each(@rows) WHERE value IS NOT NULL`);
  }

  /** Stages rows for consecutive lines from `first`; a null entry is a line that is not staged. */
  insert(first: number, rows: ReadonlyArray<string | readonly string[] | null>): void {
    if (rows.length > 0) this.#insert.run({ first, rows: JSON.stringify(rows) });
  }

  index(column: string): string {
    const name = `${this.name}_${column}`;
    this.#db.exec(`CREATE INDEX temp.${name} ON ${this.name} (${column})`);
    return name;
  }

  drop(): void {
    this.#db.exec(`DROP TABLE IF EXISTS temp.${this.name}`);
  }
}
