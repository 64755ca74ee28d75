import type { Store, StoreOptions } from '../store/open.ts';

/** Option declarations, passed to node:util parseArgs (strict: unknown options are usage errors). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly description: string;
  /** Shown in --help as the value placeholder, e.g. `N` or `FILE`. */
  readonly value?: string;
}

export interface CommandSpec {
  /** Words after `wuma`, e.g. ['codes', 'generate']. The file is `commands/codes-generate.ts`. */
  readonly path: readonly string[];
  /** One line, Chinese then English. */
  readonly summary: string;
  /** Positional arguments as shown in usage, e.g. 'CODE...'. */
  readonly positionals?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Extra help text (examples). */
  readonly details?: string;
  /** Whether the command opens the station database (adds --db to its help). Default true. */
  readonly usesDb?: boolean;
  run(ctx: CommandContext, args: ParsedCommand): Promise<number>;
}

export interface ParsedCommand {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface CommandContext {
  readonly json: boolean;
  readonly dbPath: string;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Writes a line to stdout. */
  print(line: string): void;
  /** Writes a JSON document to stdout (one line per document). */
  printJson(value: unknown): void;
  /** Opens the station database at --db (short-lived commands get no checkpointer). */
  openStore(options?: StoreOptions): Store;
  /** Resolves on SIGINT/SIGTERM; long-running commands await it to shut down cleanly. */
  readonly shutdown: Promise<string>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
