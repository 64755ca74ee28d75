import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../edge/cli/main.ts';
import { openStore } from '../../edge/store/open.ts';
import { appendOutbox } from '../../edge/store/outbox.ts';
import { parseEpcisContext } from '../../sync/epcis/epcis-context.ts';
import { freezeEvent } from '../../sync/epcis/freeze-event.ts';
import { mapFact } from '../../sync/epcis/map-fact.ts';
import { startReceiver, type RunningReceiver } from '../../sync/receiver/start-receiver.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

let dir: TempDir;
let receiver: RunningReceiver | undefined;
beforeEach(() => { dir = makeTempDir(); });
afterEach(async () => { await receiver?.close(); receiver = undefined; dir.remove(); });

const ctx = parseEpcisContext({ identifiers: { uriTemplate: 'https://c.brand.example/{kind}/{code}' } });

async function station(count: number): Promise<{ path: string; bodies: string[] }> {
  const path = dir.file('station.db');
  const store = openStore(path, { checkpointer: false });
  const bodies: string[] = [];
  store.db.transaction(() => {
    for (let i = 0; i < count; i += 1) {
      const f = freezeEvent(mapFact({ type: 'commissioning', time: Date.parse('2026-03-01T00:00:00Z') + i, kind: 'cap-outer', codes: [`C${i}`], lot: 'L1' }, ctx));
      appendOutbox(store.db, f, { batchId: i < count / 2 ? 1 : 2, pallet: `P${i % 3}` });
      bodies.push(f.body);
    }
  })();
  await store.close();
  return { path, bodies };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => { out += s; return true; } } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => { err += s; return true; } } as unknown as NodeJS.WritableStream,
    env: {},
    shutdown: new Promise<string>(() => { /* one-shot commands never see a signal */ }),
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('wuma sync (CLI)', () => {
  it('--once drains to headquarters; status shows backlog 0, last success and per-pallet confirmation', async () => {
    const { path } = await station(90);
    receiver = await startReceiver({ port: 0, dbPath: dir.file('hq.db'), limits: { maxEvents: 25 } });
    const sent = await cli('sync', '--once', '--json', '--to', receiver.url, '--db', path);
    expect(sent.code, sent.err).toBe(0);
    expect(JSON.parse(sent.out)).toMatchObject({ ok: true, confirmed: 90, requests: 4, outbox: { pending: 0, confirmed: 90, quarantined: 0 } });
    expect(receiver.store.eventCount()).toBe(90);

    const status = await cli('sync', 'status', '--json', '--db', path);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.out) as { backlog: number; lastSuccessAt: string | null; pallets: { pallet: string; confirmed: number; events: number; confirmedByHeadquarters: boolean }[] };
    expect(s.backlog).toBe(0);
    expect(s.lastSuccessAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(s.pallets.map((p) => [p.pallet, p.confirmed, p.events, p.confirmedByHeadquarters]).sort()).toEqual([['P0', 30, 30, true], ['P1', 30, 30, true], ['P2', 30, 30, true]]);

    const human = await cli('sync', 'status', '--db', path);
    expect(human.out).toContain('积压 (backlog): 0');
  });

  it('stops with exit 1 on a refused token, and status shows the alarm', async () => {
    const { path } = await station(5);
    receiver = await startReceiver({ port: 0, dbPath: dir.file('hq.db'), token: 'right-token-123' });
    writeFileSync(dir.file('token'), 'wrong-token-456\n');
    const sent = await cli('sync', '--once', '--to', receiver.url, '--token-file', dir.file('token'), '--db', path);
    expect(sent.code).toBe(1);
    expect(sent.err).toContain('401/403');
    const status = JSON.parse((await cli('sync', 'status', '--json', '--db', path)).out) as { backlog: number; sender: { state: string } };
    expect(status.backlog).toBe(5);
    expect(status.sender.state).toBe('stopped');
    writeFileSync(dir.file('token'), 'right-token-123\n');
    expect((await cli('sync', '--once', '--to', receiver.url, '--token-file', dir.file('token'), '--db', path)).code).toBe(0);
    expect(receiver.store.eventCount()).toBe(5);
  });

  it('export writes a batch as one EPCISDocument with byte-identical bodies, and changes no upload state', async () => {
    const { path, bodies } = await station(10);
    const out = dir.file('batch1.jsonld');
    const r = await cli('sync', 'export', '--json', '--batch', '1', '--out', out, '--db', path);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, batch: 1, events: 5 });
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(`"eventList":[${bodies.slice(0, 5).join(',')}]`);
    expect((JSON.parse(text) as { type: string }).type).toBe('EPCISDocument');
    const again = dir.file('again.jsonld');
    await cli('sync', 'export', '--batch', '1', '--out', again, '--db', path);
    expect(readFileSync(again, 'utf8')).toBe(text);
    expect((JSON.parse((await cli('sync', 'status', '--json', '--db', path)).out) as { backlog: number }).backlog).toBe(10);
  });

  it('names bad arguments with exit 2 and missing data with exit 1', async () => {
    const { path } = await station(2);
    const cases: [string[], number, string][] = [
      [['sync', '--once', '--db', path], 2, '--to'],
      [['sync', '--once', '--to', 'ftp://x', '--db', path], 2, 'http'],
      [['sync', '--once', '--to', 'not a url', '--db', path], 2, 'not a valid URL'],
      [['sync', '--once', '--to', 'http://127.0.0.1:9', '--token-file', dir.file('nope'), '--db', path], 2, 'token file not found'],
      [['sync', '--once', '--to', 'http://127.0.0.1:9', '--prefix', 'bad', '--db', path], 2, 'PREFIX=URI'],
      [['sync', 'export', '--batch', '0', '--out', dir.file('x.jsonld'), '--db', path], 2, '--batch'],
      [['sync', 'export', '--batch', '7', '--out', dir.file('x.jsonld'), '--db', path], 1, 'batch 7 has no outbox events'],
      [['sync', 'export', '--batch', '1', '--out', dir.file('no/dir/x.jsonld'), '--db', path], 2, 'output directory not found'],
      [['sync', 'status', '--db', dir.file('missing.db')], 1, 'database file not found'],
    ];
    for (const [argv, code, text] of cases) {
      const r = await cli(...argv);
      expect([r.code, r.err.includes(text)], `${argv.join(' ')} → ${r.err}`).toEqual([code, true]);
    }
  });
});
