/** One numbered schema step. Versions are 1, 2, 3…; each runs once, in its own transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
