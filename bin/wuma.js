#!/usr/bin/env node
// The wuma CLI. Runs on the Node 24 that `npm install` puts in node_modules/.bin (npm run / npx put it first
// on PATH); the TypeScript sources are loaded directly through Node's built-in type stripping.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`wuma 需要 Node 24 (needs Node 24), 当前 ${process.version}。请用 "npx wuma …" 或 "npm run wuma -- …"\n`);
  process.exit(2);
}
// The long-running commands run lean (issue 12). The station and the demo line get a 2 MiB young generation: their
// garbage is short-lived, so scavenges stay short, and the process is ~40 MiB smaller. The sender (`wuma sync`)
// also gets an old-generation ceiling: its live data is bounded by construction (two capture documents of at most
// 2 MiB and their ids), and V8 sizes its heap from the ceiling, so a 256 MiB ceiling keeps it near 50 MiB instead
// of letting it grow towards the machine's default. V8 takes heap sizes only at start, so the process replaces
// itself with the flags set (process.execve, Unix); elsewhere it runs as is.
const LEAN_FLAGS = {
  station: ['--max-semi-space-size=2'],
  demo: ['--max-semi-space-size=2'],
  sync: ['--max-semi-space-size=2', '--max-old-space-size=256'],
};
const lean = LEAN_FLAGS[process.argv[2]];
if (lean !== undefined && typeof process.execve === 'function' && process.env.WUMA_LEAN_HEAP !== '0'
  && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...lean, ...process.argv.slice(1)], process.env);
}
const { cliMain } = await import('../edge/cli/main.ts');
await cliMain();
