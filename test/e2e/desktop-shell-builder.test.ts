/**
 * electron-builder.yml, checked the only way these machines allow (no Electron binary to package with): against
 * electron-builder's own JSON schema, parsed by the js-yaml that electron-builder itself uses, and against the
 * repository's layout (every folder it packages exists, the entry and preload are there, the native modules it
 * unpacks carry prebuilds for the Windows and Linux targets).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

/** js-yaml as electron-builder resolves it (from app-builder-lib's folder), typed to the one call we make. */
function electronBuildersYaml(): { load(text: string): unknown } {
  const appBuilderLib = dirname(require.resolve('app-builder-lib/package.json', { paths: [ROOT] }));
  return require(require.resolve('js-yaml', { paths: [appBuilderLib] })) as { load(text: string): unknown };
}

function schemaValidator() {
  const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

interface BuilderConfig {
  extraMetadata: { main: string };
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  asar: boolean;
  win: { target: { target: string }[] };
  linux: { target: { target: string }[] };
  electronFuses: { runAsNode: boolean };
}

const config = electronBuildersYaml().load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json', () => {
    const validate = schemaValidator();
    const ok = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check is real: a misspelt key or a wrong type is refused', () => {
    const validate = schemaValidator();
    expect(validate({ ...config, asarUnpak: ['x'] })).toBe(false);
    expect(validate({ ...config, npmRebuild: 'no' })).toBe(false);
    expect(validate({ ...config, win: { target: 42 } })).toBe(false);
  });

  it('targets Windows nsis and Linux AppImage + deb, without rebuilding native modules', () => {
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb']);
    expect(config.npmRebuild).toBe(false);
    expect(config.asar).toBe(true);
    // edge is started as Electron-as-Node; turning this fuse off would stop the line from starting.
    expect(config.electronFuses.runAsNode).toBe(true);
  });

  it('packages folders that exist, starts at the .js entry and ships the built preload', () => {
    for (const pattern of config.files.filter((f) => !f.startsWith('!'))) {
      const path = pattern.replace(/\/\*\*$/, '');
      expect(existsSync(join(ROOT, path)), `files: ${pattern}`).toBe(true);
    }
    for (const folder of ['bin', 'edge', 'links', 'printers', 'scanners', 'sync', 'desktop/main', 'desktop/shared', 'desktop/renderer']) {
      expect(config.files, folder).toContain(`${folder}/**`);
    }
    expect(config.files).toContain('desktop/preload/preload.cjs');
    const entry = config.extraMetadata.main;
    expect(entry).toBe('desktop/main/entry.js');
    expect(readFileSync(join(ROOT, entry), 'utf8')).toContain("import('./start-shell.ts')");
    expect(existsSync(join(ROOT, 'desktop/main/start-shell.ts'))).toBe(true);
    // Test-only files stay out of the app.
    for (const exclusion of ['!**/*.test.ts', '!**/fixtures/**']) expect(config.files).toContain(exclusion);
  });

  it('unpacks the native modules, which carry N-API prebuilds for win32-x64 and linux-x64', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**', 'node_modules/@serialport/bindings-cpp/**']));
    const sqlite = readdirSync(join(ROOT, 'node_modules/better-sqlite3/prebuilds'));
    expect(sqlite).toEqual(expect.arrayContaining(['linux-x64.node', 'win32-x64.node']));
    const serial = readdirSync(join(ROOT, 'node_modules/@serialport/bindings-cpp/prebuilds'));
    expect(serial).toEqual(expect.arrayContaining(['linux-x64', 'win32-x64']));
    for (const dir of ['linux-x64', 'win32-x64']) {
      const files = readdirSync(join(ROOT, 'node_modules/@serialport/bindings-cpp/prebuilds', dir));
      expect(files.some((f) => f.endsWith('.node')), `${dir}: ${files.join(', ')}`).toBe(true);
    }
  });
});
