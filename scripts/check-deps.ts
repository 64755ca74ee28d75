/**
 * Dependency-direction lint (STYLE.md "Shape", DESIGN.md §9). Parses every TypeScript source with oxc-parser,
 * resolves each import, export-from and literal dynamic import, and reports every edge that breaks a rule.
 * Exit 0 when clean, 1 with one line per violation.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { parse } from '@babel/parser';
import { findCycles, layerViolation } from './layers.ts';

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly rule: string;
}

const ROOTS = ['edge', 'links', 'printers', 'scanners', 'sync', 'desktop', 'test', 'scripts', 'bench', 'bin'];
const DEVICE_LIBS = ['better-sqlite3', 'serialport', 'modbus-serial', 'node-opcua', '@serialport/'];
const PURE_DIRS = ['edge/domain/', 'edge/codes/', 'edge/aggregation/'];
const LIBRARY_PACKAGES = ['printers/', 'scanners/', 'sync/'];
/** The device-link package (byte links, framers, OPC UA session) under printers/, scanners/ and edge/: it imports none of them. */
const LINKS_FORBIDDEN = ['edge', 'printers', 'scanners', 'sync', 'desktop'];
const builtins = new Set(builtinModules);

function isNodeBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || builtins.has(spec) || builtins.has(spec.split('/')[0] ?? '');
}

/** The repository-relative path an import points at, or null for a package import. */
function resolveTarget(fromFile: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return normalize(join(dirname(fromFile), spec)).split(sep).join('/');
}

function topPackage(path: string): string {
  return path.split('/')[0] ?? '';
}

/** Applies every rule to one import edge; returns the broken rules. */
export function checkEdge(file: string, spec: string): string[] {
  const broken: string[] = [];
  const target = resolveTarget(file, spec);
  const from = topPackage(file);

  if (LIBRARY_PACKAGES.some((p) => file.startsWith(p)) && target !== null) {
    const to = topPackage(target);
    if (to === 'edge' || to === 'desktop') broken.push(`${from}/ must not import ${to}/`);
    if (['printers', 'scanners', 'sync'].includes(to) && to !== from) broken.push(`${from}/ must not import ${to}/`);
    if (to === 'links' && target !== 'links/index.ts') broken.push(`${from}/ imports links/ only through links/index.ts`);
  }

  if (from === 'links' && target !== null) {
    const to = topPackage(target);
    if (LINKS_FORBIDDEN.includes(to)) broken.push(`links/ must not import ${to}/`);
  }

  if (from === 'edge' && target !== null) {
    const layer = layerViolation(file, target);
    if (layer !== null) broken.push(layer);
    const to = topPackage(target);
    // sync/sender/index.ts is the sender's own entry, for processes that only send (wuma sync loads no receiver).
    if (['printers', 'scanners', 'sync', 'links'].includes(to) && target !== `${to}/index.ts` && target !== 'sync/sender/index.ts') {
      broken.push(`edge/ imports ${to}/ only through ${to}/index.ts${to === 'sync' ? ' (or sync/sender/index.ts)' : ''}`);
    }
  }

  if (PURE_DIRS.some((d) => file.startsWith(d)) && !file.endsWith('.test.ts')) {
    if (isNodeBuiltin(spec)) broken.push('pure domain code imports no node:* module');
    if (DEVICE_LIBS.some((lib) => spec === lib || spec.startsWith(lib))) broken.push('pure domain code imports no SQLite or device library');
    if (target !== null && !PURE_DIRS.some((d) => target.startsWith(d))) broken.push('pure domain code imports only pure domain code');
  }

  if (file.startsWith('desktop/renderer/')) {
    if (isNodeBuiltin(spec) || spec === 'electron') broken.push('the renderer imports no node:* and no electron');
    if (target !== null && !(target.startsWith('desktop/renderer/') || target.startsWith('desktop/shared/')
      || target === 'edge/api/contract.ts' || target === 'edge/api/warehouse-contract.ts' || target === 'edge/api/client.ts')) {
      // warehouse-contract.ts is contract.ts's warehouse half (types and plain constants, like it).
      broken.push('the renderer imports only edge/api/contract.ts, edge/api/client.ts and desktop/shared');
    }
    if (target === null && !isNodeBuiltin(spec) && spec !== 'electron') broken.push('the renderer imports no packages');
  }

  if (file.startsWith('desktop/preload/')) {
    if (spec !== 'electron' && !(target !== null && (target.startsWith('desktop/preload/') || target.startsWith('desktop/shared/')))) {
      broken.push('preload imports electron and desktop/shared only');
    }
  }

  if (!file.startsWith('desktop/') && target !== null && target.startsWith('desktop/')) {
    if (!file.startsWith('test/')) broken.push('nothing outside desktop/ imports desktop/');
  }

  for (const pkg of ['printers', 'scanners']) {
    if (file.startsWith(`${pkg}/emulators/`) && target !== null && target.startsWith(`${pkg}/drivers/`)) {
      broken.push('an emulator never imports its driver code (both are pinned by golden fixtures)');
    }
  }
  return broken;
}

type AstNode = { readonly type?: unknown; readonly [key: string]: unknown };

function literalOf(node: unknown): string | null {
  const n = node as AstNode | null | undefined;
  if (n?.type === 'StringLiteral' && typeof n['value'] === 'string') return n['value'];
  if (n?.type === 'TemplateLiteral' && Array.isArray(n['expressions']) && n['expressions'].length === 0) {
    const quasis = n['quasis'] as Array<{ value?: { cooked?: string } }>;
    return quasis[0]?.value?.cooked ?? null;
  }
  return null;
}

/**
 * Import specifiers of one source file: static imports (type-only ones too: a type import is still a dependency),
 * re-exports, literal dynamic `import()` and `import('x').T` types. Parsed with @babel/parser (pure JS).
 */
export function importsOf(file: string, source: string): string[] {
  let program: unknown;
  try {
    program = parse(source, { sourceType: 'module', plugins: file.endsWith('.ts') ? ['typescript'] : [], errorRecovery: false }).program;
  } catch (error) {
    throw new Error(`${file}: cannot parse: ${error instanceof Error ? error.message : String(error)}`);
  }
  const specs: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) { for (const item of value) visit(item); return; }
    if (typeof value !== 'object' || value === null) return;
    const node = value as AstNode;
    switch (node.type) {
      case 'ImportDeclaration': case 'ExportNamedDeclaration': case 'ExportAllDeclaration': case 'ImportExpression': {
        const spec = literalOf(node['source']);
        if (spec !== null) specs.push(spec);
        break;
      }
      case 'CallExpression': {
        const callee = node['callee'] as AstNode | undefined;
        const first = (node['arguments'] as unknown[] | undefined)?.[0];
        if (callee?.type === 'Import' && literalOf(first) !== null) specs.push(literalOf(first) as string);
        break;
      }
      case 'TSImportType': {
        const spec = literalOf(node['source']) ?? literalOf(node['argument']) ?? literalOf((node['argument'] as AstNode | undefined)?.['literal']);
        if (spec !== null) specs.push(spec);
        break;
      }
      default:
    }
    for (const [key, child] of Object.entries(node)) {
      if (key !== 'loc' && key !== 'start' && key !== 'end' && key !== 'extra' && typeof child === 'object') visit(child);
    }
  };
  visit(program);
  return specs;
}

export function checkSource(file: string, source: string): Violation[] {
  const out: Violation[] = [];
  for (const spec of new Set(importsOf(file, source))) {
    for (const rule of checkEdge(file, spec)) out.push({ file, specifier: spec, rule });
  }
  if (/(^|\/)index\.ts$/.test(file) && /^\s*export\s+\*\s+from/m.test(source)) {
    out.push({ file, specifier: '*', rule: 'a public index.ts has an explicit export list (no export *)' });
  }
  return out;
}

function walk(dir: string, acc: string[]): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return acc; }
  for (const name of names) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, acc);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) acc.push(path);
  }
  return acc;
}

/**
 * Import cycles among the non-test sources (type-only imports count: a cycle of types is still two files that can
 * only be understood together). One violation per cycle, on the file that closes it.
 */
export function cycleViolations(sources: ReadonlyMap<string, string>): Violation[] {
  const graph = new Map<string, string[]>();
  for (const [file, source] of sources) {
    if (file.endsWith('.test.ts')) continue;
    graph.set(file, importsOf(file, source).map((s) => resolveTarget(file, s)).filter((t): t is string => t !== null && sources.has(t) && !t.endsWith('.test.ts')));
  }
  return findCycles(graph).map((cycle) => ({ file: cycle[cycle.length - 2] ?? '', specifier: cycle[cycle.length - 1] ?? '', rule: `no import cycles: ${cycle.join(' → ')}` }));
}

export function checkTree(root: string): Violation[] {
  const files = ROOTS.flatMap((r) => walk(join(root, r), []));
  const sources = new Map(files.map((f) => [relative(root, f).split(sep).join('/'), readFileSync(f, 'utf8')] as const));
  return [...[...sources].flatMap(([file, source]) => checkSource(file, source)), ...cycleViolations(sources)];
}

if (import.meta.main) {
  const violations = checkTree(process.cwd());
  for (const v of violations) console.error(`${v.file}: import '${v.specifier}': ${v.rule}`);
  if (violations.length > 0) {
    console.error(`依赖方向检查失败 / dependency-direction check failed: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log('dependency direction: ok');
}
