import { defineConfig } from 'vitest/config';

/**
 * Test projects (STYLE.md "Tests"):
 * - unit: pure code, colocated `*.test.ts`, no sockets.
 * - conformance: drivers against emulators and peers over real transports (`*.conformance.test.ts`).
 * - e2e: whole-system tests under `test/` (edge + emulators + receiver + browser).
 * - hardware: opt-in by environment variable; otherwise each case is a named skip.
 */
const packages = ['edge', 'links', 'printers', 'scanners', 'sync', 'desktop', 'scripts', 'bench'];
const setupFiles = ['test/support/leak-check.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: packages.map((p) => `${p}/**/*.test.ts`).concat(['test/support/**/*.test.ts']),
          exclude: ['**/*.conformance.test.ts', '**/*.hardware.test.ts', '**/node_modules/**'],
          setupFiles,
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'conformance',
          include: packages.map((p) => `${p}/**/*.conformance.test.ts`).concat(['test/conformance/**/*.test.ts']),
          setupFiles,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/*.test.ts'],
          setupFiles,
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'hardware',
          include: ['**/*.hardware.test.ts'],
          exclude: ['**/node_modules/**'],
          setupFiles,
        },
      },
    ],
  },
});
