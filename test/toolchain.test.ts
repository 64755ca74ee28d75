import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('toolchain', () => {
  it('runs on Node 24 LTS, the version pinned in package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
    const pinned = pkg.devDependencies['node'];
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(process.version).toBe(`v${pinned}`);
  });

  it('resolves `node` inside npm scripts to the pinned binary, not the system Node', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
    const printed = execFileSync('npm', ['exec', '--offline', '--', 'node', '-v'], { encoding: 'utf8' }).trim();
    expect(printed).toBe(`v${pkg.devDependencies['node']}`);
  });

  it('pins every dependency to an exact version', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string>>;
    for (const field of ['dependencies', 'devDependencies'] as const) {
      for (const [name, version] of Object.entries(pkg[field] ?? {})) {
        expect(version, `${field}.${name}`).toMatch(/^\d+\.\d+\.\d+$/);
      }
    }
  });
});
