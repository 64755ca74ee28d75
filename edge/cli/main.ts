/**
 * The `wuma` command line. Commands live one per file in ./commands, named after their words
 * (`codes-generate.ts` is `wuma codes generate`); only the matched file is imported, so a command that does
 * not touch OPC UA never pays for loading it. Exit codes: 0 ok, 1 domain failure, 2 usage error.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GLOBAL_OPTIONS, parseCommandArgs } from './args.ts';
import { EXIT_FAILURE, EXIT_USAGE, type CommandContext, type CommandSpec } from './command.ts';
import { CommandFailure, UsageError } from './errors.ts';
import { openStore } from '../store/open.ts';

const COMMANDS_DIR = fileURLToPath(new URL('./commands/', import.meta.url));

export function commandFiles(): string[] {
  return readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => f.slice(0, -3)).sort();
}

async function loadCommand(file: string): Promise<CommandSpec> {
  const mod = (await import(new URL(`./commands/${file}.ts`, import.meta.url).href)) as { command?: CommandSpec };
  if (!mod.command) throw new Error(`commands/${file}.ts exports no \`command\``);
  return mod.command;
}

/** Longest run of leading words that names a command file. */
function match(words: readonly string[], files: readonly string[]): { file: string; used: number } | null {
  for (let n = Math.min(words.length, 4); n >= 1; n -= 1) {
    const name = words.slice(0, n).join('-');
    if (words.slice(0, n).every((w) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(w)) && files.includes(name)) return { file: name, used: n };
  }
  return null;
}

function optionLines(options: Readonly<Record<string, { type: string; short?: string; value?: string; description: string }>>): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(30)} ${o.description}`;
  });
}

export function commandHelp(spec: CommandSpec): string {
  const globals = spec.usesDb === false ? { json: GLOBAL_OPTIONS.json, help: GLOBAL_OPTIONS.help } : GLOBAL_OPTIONS;
  return [
    `用法 (usage): wuma ${spec.path.join(' ')}${spec.positionals ? ` ${spec.positionals}` : ''} [options]`,
    '',
    spec.summary,
    '',
    '选项 (options):',
    ...optionLines(spec.options),
    ...optionLines(globals),
    ...(spec.details ? ['', spec.details] : []),
    '',
    '退出码 (exit codes): 0 成功 ok, 1 业务失败 failure, 2 用法错误 usage error',
  ].join('\n');
}

async function overview(): Promise<string> {
  const specs = await Promise.all(commandFiles().map(loadCommand));
  const lines = specs.map((s) => `  wuma ${`${s.path.join(' ')}${s.positionals ? ` ${s.positionals}` : ''}`.padEnd(36)} ${s.summary}`);
  return [
    'wuma 五码 — 包装线赋码关联工作站 (packaging-line code station)',
    '',
    '用法 (usage): wuma <command> [options]      每个命令都有 --help (every command has --help)',
    '',
    '命令 (commands):',
    ...lines,
    '',
    '全局选项 (global options): --db PATH (默认 ./data/wuma.db 或 $WUMA_DB), --json, --help',
  ].join('\n');
}

export interface RunIo {
  readonly stdout: CommandContext['stdout'];
  readonly stderr: CommandContext['stderr'];
  readonly env: NodeJS.ProcessEnv;
  readonly shutdown: Promise<string>;
}

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: RunIo): Promise<number> {
  const files = commandFiles();
  const words = argv.filter((a, i) => !a.startsWith('-') && argv.slice(0, i).every((b) => !b.startsWith('-')));
  const found = match(words, files);
  const json = argv.includes('--json');
  const fail = (exit: number, message: string, details?: unknown): number => {
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: message, ...(details === undefined ? {} : { details }) })}\n`);
    io.stderr.write(`错误 (error): ${message}\n`);
    if (exit === EXIT_USAGE) io.stderr.write(`用 --help 查看用法 (see --help)\n`);
    return exit;
  };
  if (!found) {
    if (words.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(`${await overview()}\n`);
      return words.length === 0 && !argv.includes('--help') && !argv.includes('-h') ? EXIT_USAGE : 0;
    }
    return fail(EXIT_USAGE, `未知命令 "${words.join(' ')}" (unknown command)`);
  }
  let spec: CommandSpec;
  try {
    spec = await loadCommand(found.file);
  } catch (error) {
    return fail(EXIT_FAILURE, `无法加载命令 (cannot load command): ${error instanceof Error ? error.message : String(error)}`);
  }
  const rest = argv.slice(argv.indexOf(words[found.used - 1] ?? '') + 1);
  try {
    const args = parseCommandArgs(spec, rest);
    if (args.values['help'] === true) {
      io.stdout.write(`${commandHelp(spec)}\n`);
      return 0;
    }
    const dbPath = resolve(typeof args.values['db'] === 'string' ? args.values['db'] : io.env['WUMA_DB'] ?? './data/wuma.db');
    const ctx: CommandContext = {
      json: args.values['json'] === true,
      dbPath,
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env,
      shutdown: io.shutdown,
      print: (line) => { io.stdout.write(`${line}\n`); },
      printJson: (value) => { io.stdout.write(`${JSON.stringify(value)}\n`); },
      openStore: (options) => openStore(dbPath, { checkpointer: false, ...options }),
    };
    return await spec.run(ctx, args);
  } catch (error) {
    if (error instanceof UsageError) return fail(EXIT_USAGE, error.message);
    if (error instanceof CommandFailure) return fail(EXIT_FAILURE, error.message, error.details);
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return fail(EXIT_FAILURE, `${typeof code === 'string' ? `[${code}] ` : ''}${message}`);
  }
}

/** Process entry: runs argv, sets the exit code. Used by bin/wuma.js and `node edge/cli/main.ts`. */
export async function cliMain(): Promise<void> {
  const shutdown = new Promise<string>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { resolve(signal); });
  });
  const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, shutdown });
  process.exitCode = code;
  // Long-running commands resolve only after shutdown; short ones must not be held open by signal listeners.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
}

if (import.meta.main) await cliMain();
