/**
 * Child entry of the crash harness (crash-harness.test.ts). Loading the station's modules takes about a second
 * on the shared CI cores, far longer than one short run between two kills; so the harness starts the next child
 * while the current one runs: it loads the `wuma demo` command here (and compiles the EPCIS validators), prints WARM, and waits for one line on stdin
 * (the arguments, as JSON) before it runs `wuma demo` through the real CLI entry — opening the database only then,
 * so two children never use it at once. It exits with the CLI's exit code (if it is not killed first).
 */
import { createInterface } from 'node:readline';
import { runCli } from '../../edge/cli/main.ts';
import '../../edge/cli/commands/demo.ts';
import { warmValidators } from '../../sync/index.ts';

// The EPCIS schema validators compile on first use (~250 ms of CPU); a warm child has them ready.
warmValidators();
process.stdout.write('WARM\n');
const lines = createInterface({ input: process.stdin });
const first = await new Promise<string | null>((resolve) => {
  lines.once('line', resolve);
  lines.once('close', () => { resolve(null); });
});
lines.close();
if (first === null) process.exit(0);
const argv = JSON.parse(first) as string[];
const shutdown = new Promise<string>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { resolve(signal); });
});
process.exitCode = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, shutdown });
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
