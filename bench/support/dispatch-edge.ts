/**
 * The edge process of the dispatch benches (bench/dispatch.ts, bench/dispatch-crash.ts): the station store and the
 * real local API over HTTPS (the test certificate of test/fixtures/tls) on 127.0.0.1, as a LAN station serves its
 * PDAs — same startApi, same routes, same store, no station devices. Prints `READY <port> <token>` once serving;
 * SIGTERM closes it cleanly; the crash harness kills it with SIGKILL.
 * Usage: node bench/support/dispatch-edge.ts DB
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEpcisContext, warmValidators } from '../../sync/index.ts';
import { startApi } from '../../edge/api/index.ts';
import { DEFAULT_EPCIS_CONFIG } from '../../edge/config/default-epcis.ts';
import { openStore } from '../../edge/store/open.ts';

const db = process.argv[2];
if (db === undefined) { console.error('usage: dispatch-edge.ts DB'); process.exit(2); }
const tls = {
  cert: readFileSync(fileURLToPath(new URL('../../test/fixtures/tls/cert.pem', import.meta.url))),
  key: readFileSync(fileURLToPath(new URL('../../test/fixtures/tls/key.pem', import.meta.url))),
};
// As edge/main.ts does before serving: compile the EPCIS validators now, not inside the first scans' commits.
warmValidators();
const store = openStore(db, { checkpointer: true });
const api = await startApi({ store, tls, epcis: parseEpcisContext(DEFAULT_EPCIS_CONFIG), rendererDir: null, loginBackoffMs: 1, loginBackoffMaxMs: 2 });
process.stdout.write(`READY ${api.port} ${api.token}\n`);
process.on('SIGTERM', () => { void api.close().then(() => store.close()).then(() => process.exit(0)); });
