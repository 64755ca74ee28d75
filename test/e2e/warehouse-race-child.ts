/**
 * One PDA of the dispatch race (warehouse-race.test.ts): its own process and its own SQLite connection to the
 * station file. Argument: JSON { db, orderId, user, codes }. Prints `ready`, waits for `go` on stdin (so all
 * clients start together), scans its codes as fast as it can and prints one JSON line with every outcome.
 */
import { createInterface } from 'node:readline';
import { openStore } from '../../edge/store/open.ts';
import { Warehouse } from '../../edge/warehouse/index.ts';
import { TEST_EPCIS } from './batch-line-fixture.ts';

const input = JSON.parse(process.argv[2] ?? '{}') as { db: string; orderId: string; user: string; codes: string[] };
const store = openStore(input.db, { checkpointer: false, recover: false });
const w = new Warehouse(store.db, { epcis: TEST_EPCIS });
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== 'go') continue;
  const results = input.codes.map((code) => {
    const r = w.scan(input.orderId, code, { user: input.user, device: input.user });
    return r.kind === 'ok' ? { code, kind: r.kind, counted: r.counted } : { code, kind: r.kind, reason: r.reason };
  });
  process.stdout.write(`${JSON.stringify(results)}\n`);
  break;
}
lines.close();
await store.close();
