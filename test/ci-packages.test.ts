import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_PYTHON } from './support/pymodbus.ts';
import {
  REPO, TEST_PEERS, basePackages, debianPythonPackage, dependencyClosure, loadPythonModules, ownersOf, pythonImports,
  readPackageList, resolveProgram, scanForPeers, sourceFiles,
} from './support/debian-packages.ts';

/**
 * Issue 11: a fresh Debian 12 machine with only the base image and `.ci/debian-packages.txt` runs the whole suite.
 * Every program, Python module and data file the tests use is traced to the Debian package that owns it; that
 * package must be named in the list, be pulled in by it through Depends / Pre-Depends (never Recommends: `.ci/run`
 * installs with --no-install-recommends), or be part of the base system.
 */
const list = readPackageList();
let base: Set<string>;
let closure: Set<string>;
beforeAll(() => {
  base = new Set(basePackages());
  closure = dependencyClosure([...list, ...base]);
});

const where = (pkg: string | null, what: string): string => pkg === null
  ? `${what} is not owned by any Debian package (installed by hand, pip or npm?): the tests must use Debian's`
  : `${what} comes from Debian package ${pkg}, which .ci/debian-packages.txt does not name (nor anything it depends on): add ${pkg}`;

describe('.ci/debian-packages.txt is the one list of Debian test peers', () => {
  it('names each package once, and apt knows every name', () => {
    expect(list.length).toBeGreaterThan(0);
    expect(list.filter((p, i) => list.indexOf(p) !== i), 'packages named twice').toEqual([]);
    for (const p of list) expect(p, 'a Debian package name').toMatch(/^[a-z0-9][a-z0-9+.-]+$/);
    expect(() => dependencyClosure(list)).not.toThrow();
  });

  it('the README install line quotes exactly the list, in order', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const lines = [...readme.matchAll(/apt-get install ([^`\n]+)/g)].map((m) => m[1]!.trim().split(/\s+/).filter((w) => !w.startsWith('-')));
    expect(lines.length, 'README has an apt-get install line').toBeGreaterThan(0);
    for (const words of lines) expect(words).toEqual(list);
  });

  it('.ci/run installs the list without recommends and names no package itself', () => {
    const run = readFileSync(join(REPO, '.ci', 'run'), 'utf8');
    expect(run).toContain('.ci/debian-packages.txt');
    const install = run.split('\n').filter((l) => /apt-get install/.test(l));
    expect(install.length).toBe(1);
    expect(install[0]).toContain('--no-install-recommends');
    for (const p of list) expect(run, `${p} named in .ci/run instead of the list`).not.toMatch(new RegExp(`(^|\\s)${p.replaceAll('+', '\\+')}(\\s|$)`, 'm'));
  });
});

describe('every peer the tests use comes from a listed package', () => {
  it.each(TEST_PEERS.programs)('program %s', (program) => {
    const path = resolveProgram(program);
    expect(path, `${program} is not installed: install the Debian package that provides it and name it in .ci/debian-packages.txt`).not.toBeNull();
    const owner = ownersOf([path!]).get(path!) ?? null;
    expect(owner !== null && closure.has(owner), where(owner, `${program} (${path})`)).toBe(true);
  });

  it.each(TEST_PEERS.files)('file %s', (file) => {
    const owner = ownersOf([file]).get(file) ?? null;
    expect(owner !== null && closure.has(owner), where(owner, file)).toBe(true);
  });

  it.each(TEST_PEERS.pythonPeers)('every module %s loads under Debian python3, from listed packages', (peer) => {
    const modules = pythonImports(readFileSync(join(REPO, peer), 'utf8'));
    expect(modules.length).toBeGreaterThan(0);
    const loaded = loadPythonModules(DEBIAN_PYTHON, modules);
    if (!loaded.ok) {
      expect.fail(`${peer}: ${DEBIAN_PYTHON} cannot import ${loaded.missing} (${loaded.error}) — Debian ships it as ${debianPythonPackage(loaded.missing)}: name that in .ci/debian-packages.txt`);
    }
    const byPackage = new Map<string | null, string[]>();
    for (const [file, pkg] of ownersOf(loaded.files)) if (pkg === null || !closure.has(pkg)) byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), file]);
    expect([...byPackage].map(([pkg, files]) => where(pkg, `${files[0]!}${files.length > 1 ? ` (and ${files.length - 1} more)` : ''}`))).toEqual([]);
  });

  it('the source uses no program or system file that is not named in TEST_PEERS', () => {
    const found = scanForPeers(sourceFiles());
    const declared = new Set<string>(TEST_PEERS.programs.map((p) => resolveProgram(p) ?? p));
    const undeclared: string[] = [];
    for (const [program, files] of found.programs) {
      const path = resolveProgram(program);
      if (path === null || declared.has(path)) continue;
      const owner = ownersOf([path]).get(path) ?? null;
      if (owner !== null && base.has(owner)) continue;
      undeclared.push(`${program} (${owner ?? 'no package'}) used in ${files.join(', ')}`);
    }
    for (const [file, files] of found.files) {
      if (!(TEST_PEERS.files as readonly string[]).includes(file)) undeclared.push(`${file} used in ${files.join(', ')}`);
    }
    expect(undeclared, 'add these to TEST_PEERS in test/support/debian-packages.ts').toEqual([]);
  });
});
