/**
 * First step of `npm test`: proves the scripts run on the Node pinned in package.json (the npm package `node`),
 * not on the system's Node. Prints the version; exit 1 with a clear message otherwise.
 */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };
const pinned = pkg.devDependencies['node'];
console.log(`node ${process.version} (pinned ${pinned ?? 'none'})`);
if (pinned === undefined || process.version !== `v${pinned}`) {
  console.error(`需要 Node ${pinned ?? '24'}，当前 ${process.version}。请先运行 npm install (run npm install; npm run puts the pinned Node first on PATH)`);
  process.exit(1);
}
