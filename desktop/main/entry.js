// Electron main entry of the wuma desktop app (electron-builder's `extraMetadata.main`; `npx electron
// desktop/main/entry.js` from source). Plain JavaScript so that it loads on any Electron; it then imports the
// TypeScript main through Node's type stripping, which Electron's Node supports by default (Electron >= 38,
// Node 22.18+; this app pins Electron 45). If it is missing, the import fails and we say so instead of a blank app.
import * as electron from 'electron';

try {
  const { startShell } = await import('./start-shell.ts');
  await startShell(electron);
} catch (error) {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  electron.dialog.showErrorBox('五码 wuma 无法启动 (cannot start)', detail);
  electron.app.exit(1);
}
