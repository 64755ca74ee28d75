#!/usr/bin/env node
// The wuma CLI. Runs on the Node 24 that `npm install` puts in node_modules/.bin (npm run / npx put it first
// on PATH); the TypeScript sources are loaded directly through Node's built-in type stripping.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`wuma 需要 Node 24 (needs Node 24), 当前 ${process.version}。请用 "npx wuma …" 或 "npm run wuma -- …"\n`);
  process.exit(2);
}
const { cliMain } = await import('../edge/cli/main.ts');
await cliMain();
