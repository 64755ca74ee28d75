import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';

/**
 * What the tests need from Debian, and where each thing really comes from (issue 11).
 *
 * `.ci/debian-packages.txt` is the one list: `.ci/run` installs it with `--no-install-recommends`, the README quotes
 * it. `test/ci-packages.test.ts` resolves every program, Python module and data file the tests use to the Debian
 * package that owns it (`dpkg -S`) and requires that package to be in the list, in what the list depends on
 * (Depends / Pre-Depends, recursively — never Recommends), or in the base system (Essential or Priority required).
 */
export const REPO = join(import.meta.dirname, '..', '..');
export const PACKAGE_LIST = join(REPO, '.ci', 'debian-packages.txt');

/** The list's package names, in order (comments after `#` and blank lines dropped). */
export function readPackageList(path = PACKAGE_LIST): string[] {
  return readFileSync(path, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
}

/**
 * Every external program the tests run (bare names are looked up on PATH), every Python peer whose imports must
 * load under Debian's interpreter, and every data file a test needs. test/ci-packages.test.ts also scans the source
 * for program names and absolute paths, so a new peer cannot be used without being named here.
 */
export const TEST_PEERS = {
  programs: ['socat', 'zbarimg', 'dmtxread', 'ZXingReader', 'mbpoll', 'pdftotext', '/usr/bin/chromium', '/usr/bin/python3', 'flock', 'dpkg', 'dpkg-query', 'apt-cache', 'runuser', 'strace'],
  pythonPeers: ['test/support/pymodbus-server.py'],
  files: ['/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', '/usr/lib/postgresql/15/bin/initdb', '/usr/lib/postgresql/15/bin/pg_ctl'],
} as const;

/** The toolchain the README asks for before anything else (Node and npm run `npm ci` itself): not a Debian peer. */
export const TOOLCHAIN = new Set(['node', 'npm', 'npx']);

/** Looks a program up the way spawn does (PATH, without node_modules/.bin); an absolute path is checked as is. */
export function resolveProgram(program: string, path = process.env['PATH'] ?? ''): string | null {
  const candidates = program.startsWith('/') ? [program]
    : path.split(delimiter).filter((d) => d !== '' && !d.includes('node_modules')).map((d) => join(d, program));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch { /* not here */ }
  }
  return null;
}

/** dpkg's owner of each path (tried as given, then with symlinks resolved); null where no package owns it. */
export function ownersOf(paths: readonly string[]): Map<string, string | null> {
  const owners = new Map<string, string | null>();
  const lookup = (files: readonly string[]): Map<string, string> => {
    const found = new Map<string, string>();
    if (files.length === 0) return found;
    const out = spawnSync('dpkg', ['-S', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    for (const line of out.stdout.split('\n')) {
      const m = /^([^\s:,]+)(?::[a-z0-9]+)?(?:, [^:]+)*: (\/.*)$/.exec(line);
      if (m !== null && !line.startsWith('diversion ')) found.set(m[2]!, m[1]!);
    }
    return found;
  };
  const direct = lookup(paths);
  // dpkg records a path as its package installed it: with merged /usr, /usr/bin/x may be registered as /bin/x.
  const aliases = new Map(paths.filter((p) => !direct.has(p)).map((p) => [p, [safeRealpath(p), usrMergeAlias(p)].filter((a): a is string => a !== null && a !== p)] as const));
  const second = lookup([...new Set([...aliases.values()].flat())]);
  for (const p of paths) owners.set(p, direct.get(p) ?? (aliases.get(p) ?? []).map((a) => second.get(a)).find((o) => o !== undefined) ?? null);
  return owners;
}

function usrMergeAlias(p: string): string | null {
  const m = /^\/usr\/(s?bin|lib(?:32|64|x32)?)\/(.*)$/.exec(p);
  if (m !== null) return `/${m[1]!}/${m[2]!}`;
  const n = /^\/(s?bin|lib(?:32|64|x32)?)\/(.*)$/.exec(p);
  return n === null ? null : `/usr/${n[1]!}/${n[2]!}`;
}

function safeRealpath(p: string): string | null {
  try { return realpathSync(p); } catch { return null; }
}

/** Installed packages that are Essential or Priority required: what every Debian base image has. */
export function basePackages(): string[] {
  const out = execFileSync('dpkg-query', ['-W', '-f', '${Package}\t${Essential}\t${Priority}\t${db:Status-Abbrev}\n'], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.split('\t')).filter((f) => f[3]?.startsWith('ii') === true && (f[1] === 'yes' || f[2] === 'required')).map((f) => f[0]!);
}

/**
 * The packages `apt-get install --no-install-recommends names` brings, plus the base: names and their Depends and
 * Pre-Depends, recursively. Alternatives (`a | b`) all count, so this is a slight over-approximation.
 * Throws naming any package apt does not know.
 */
export function dependencyClosure(names: readonly string[]): Set<string> {
  const out = spawnSync('apt-cache', ['depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...names], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const unknown = [...out.stderr.matchAll(/Unable to locate package (\S+)|No packages found/g)];
  if (out.status !== 0 || unknown.length > 0) throw new Error(`apt-cache depends failed (unknown package?): ${out.stderr.trim()}`);
  return new Set(out.stdout.split('\n').filter((l) => l !== '' && !l.startsWith(' ') && !l.startsWith('<')));
}

/** Top-level modules a Python file imports (`import a.b` → a.b, `from a.b import c` → a.b); relative imports skipped. */
export function pythonImports(source: string): string[] {
  const mods = new Set<string>();
  for (const line of source.split('\n')) {
    const from = /^\s*from\s+([A-Za-z_][\w.]*)\s+import\b/.exec(line);
    if (from !== null) { mods.add(from[1]!); continue; }
    const imp = /^\s*import\s+(.+)$/.exec(line);
    if (imp !== null) for (const part of imp[1]!.split(',')) { const name = part.trim().split(/\s+/)[0]; if (name !== undefined && name !== '') mods.add(name); }
  }
  return [...mods];
}

export type PythonLoad = { ok: true; files: string[] } | { ok: false; missing: string; error: string };

/**
 * Imports `modules` under `python` and returns the file of every module they loaded (what really ran; modules the
 * interpreter loaded at start-up, e.g. from a base image's .pth hooks, are not theirs), or the first module that
 * could not be found.
 */
export function loadPythonModules(python: string, modules: readonly string[]): PythonLoad {
  const script = [
    'import importlib, json, sys',
    'before = set(sys.modules)',
    'for m in json.loads(sys.argv[1]):',
    '    try:',
    '        importlib.import_module(m)',
    '    except ModuleNotFoundError as e:',
    '        print(json.dumps({"ok": False, "missing": e.name or m, "error": str(e)})); sys.exit(0)',
    'files = sorted({getattr(v, "__file__", None) for k, v in list(sys.modules.items()) if k not in before} - {None})',
    'print(json.dumps({"ok": True, "files": files}))',
  ].join('\n');
  const out = execFileSync(python, ['-c', script, JSON.stringify(modules)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(out) as PythonLoad;
}

/** Debian's naming for a Python module's package: `serial_asyncio` → python3-serial-asyncio. */
export function debianPythonPackage(module: string): string {
  return `python3-${(module.split('.')[0] ?? module).replaceAll('_', '-').toLowerCase()}`;
}

/** Source files the scan reads: TypeScript and Python outside node_modules, .git and generated output. */
export function sourceFiles(root = REPO): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'data' || entry.name === 'dist') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|py)$/.test(entry.name)) files.push(relative(root, full));
    }
  };
  walk(root);
  return files.sort();
}

/**
 * Programs and files the source names: absolute paths under /usr, /bin, /sbin in any file, and, in files that start
 * processes (import node:child_process), bare names in command position — the first argument of spawn / execFile /
 * run, or a name followed by its argument array (`['zbarimg', ['-q', …]]`) — that are executables on PATH.
 */
export function scanForPeers(files: readonly string[], root = REPO): { programs: Map<string, string[]>; files: Map<string, string[]> } {
  const programs = new Map<string, string[]>();
  const paths = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, file: string): void => { map.set(key, [...(map.get(key) ?? []), file]); };
  for (const file of files) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/['"`](\/(?:usr\/)?(?:s?bin|share|lib)\/[^'"`\s$]+)['"`]/g)) {
      const p = m[1]!;
      const isProgram = /^\/(?:usr\/)?s?bin\//.test(p);
      add(isProgram ? programs : paths, p, file);
    }
    if (!text.includes("from 'node:child_process'")) continue;
    for (const m of text.matchAll(/(?:\b(?:spawn|spawnSync|execFile|execFileSync|run)\(\s*'([A-Za-z][\w.+-]*)'|'([A-Za-z][\w.+-]*)'\s*,\s*\[)/g)) {
      const name = m[1] ?? m[2]!;
      if (TOOLCHAIN.has(name) || resolveProgram(name) === null) continue;
      add(programs, name, file);
    }
  }
  return { programs, files: paths };
}
