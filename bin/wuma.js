#!/usr/bin/env node
// The wuma CLI. Runs on the Node 24 that `npm install` puts in node_modules/.bin (npm run / npx put it first
// on PATH); the TypeScript sources are loaded directly through Node's built-in type stripping.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`wuma 需要 Node 24 (needs Node 24), 当前 ${process.version}。请用 "npx wuma …" 或 "npm run wuma -- …"\n`);
  process.exit(2);
}
// The long-running commands (the station, the demo line) run with a 2 MiB young generation: the station's garbage
// is short-lived, so scavenges stay short, and the process is ~40 MiB smaller (issue 12). V8 takes heap sizes
// only at start, so the process replaces itself with the flag set (process.execve, Unix); elsewhere it runs as is.
const LEAN_COMMANDS = new Set(['station', 'demo']);
const LEAN_FLAG = '--max-semi-space-size=2';
if (LEAN_COMMANDS.has(process.argv[2]) && typeof process.execve === 'function' && process.env.WUMA_LEAN_HEAP !== '0'
  && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, LEAN_FLAG, ...process.argv.slice(1)], process.env);
}
const { cliMain } = await import('../edge/cli/main.ts');
await cliMain();
