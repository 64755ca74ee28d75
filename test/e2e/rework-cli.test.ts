import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from './batch-line-fixture.ts';
import { runWuma, type CliResult } from '../support/run-cli.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { startBatch } from '../../edge/store/batches.ts';
import { commitCase } from '../../edge/store/case-commit.ts';
import { openStore } from '../../edge/store/open.ts';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
const QA_PIN = '246810';
const OP_PIN = '135792';

let dir: TempDir;
let m: LineMaterial;
let base: NodeJS.ProcessEnv;

beforeEach(async () => {
  dir = makeTempDir();
  const store = openStore(dir.file('wuma.db'), { checkpointer: false });
  m = seedLine(store.db, { cases: 3, spareCaps: 4 });
  const batchId = startBatch(store.db, { productId: m.productId, lot: 'L1', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op' }).id;
  for (let i = 0; i < 2; i += 1) commitCase(store.db, { batchId, caseCode: m.cases[i]?.outer ?? '', children: capsOfCase(m, i), at: T0 + i, actor: 'station', epcis: TEST_EPCIS });
  await store.close();
  writeFileSync(dir.file('station.json'), JSON.stringify({ epcis: { identifiers: { uriTemplate: 'https://c.wuma.example/{kind}/{code}' } } }));
  writeFileSync(dir.file('qa.pin'), `${QA_PIN}\n`);
  writeFileSync(dir.file('op.pin'), `${OP_PIN}\n`);
  writeFileSync(dir.file('bad.pin'), '000999\n');
  writeFileSync(dir.file('qa.badge'), 'CARD-0001\n');
  base = { WUMA_DB: dir.file('wuma.db'), WUMA_CONFIG: dir.file('station.json') };
  expect((await runWuma(['user', 'add', '--id', 'qa1', '--name', '张质检', '--role', 'qa', '--pin-file', dir.file('qa.pin'), '--badge-file', dir.file('qa.badge')], base)).code).toBe(0);
  expect((await runWuma(['user', 'add', '--id', 'op1', '--name', '李操作', '--role', 'operator', '--pin-file', dir.file('op.pin')], base)).code).toBe(0);
});
afterEach(() => { dir.remove(); });

function cap(i: number): { outer: string; inner: string } { const c = m.caps[i]; if (!c) throw new Error('no cap'); return c; }
function allText(results: CliResult[]): string { return results.map((r) => r.stdout + r.stderr).join('\n'); }
const signed = (user: string, pinFile: string): string[] => ['--user', user, '--pin-file', dir.file(pinFile), '--reason', '瓶盖破损'];

describe('wuma user', () => {
  it('add refuses bad input with exit 1 naming the fields; list shows roles and never a secret', async () => {
    const bad = await runWuma(['user', 'add', '--id', 'x', '--name', 'n', '--role', 'boss', '--pin-file', dir.file('qa.pin')], base);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/role: 未知角色/);
    expect((await runWuma(['user', 'add', '--name', 'n', '--role', 'qa'], base)).code).toBe(2);
    const list = await runWuma(['user', 'list'], base);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/qa1\s+张质检\s+质检 qa/);
    const json = await runWuma(['user', 'list', '--json'], base);
    expect(json.json<{ users: { id: string; role: string }[] }>().users.map((u) => [u.id, u.role])).toEqual([['op1', 'operator'], ['qa1', 'qa']]);
    expect(allText([list, json])).not.toMatch(new RegExp(`${QA_PIN}|${OP_PIN}|CARD-0001|scrypt`));
  });
});

describe('wuma rework', () => {
  it('remove then add back, signed; wuma verify passes; outputs carry no secret code or PIN', async () => {
    const removed = await runWuma(['rework', 'remove', cap(0).outer, ...signed('qa1', 'qa.pin'), '--json'], base);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.json()).toMatchObject({ ok: true, action: 'rework.remove', result: { code: cap(0).outer, childCount: 3, ratio: 4 }, signedBy: { userId: 'qa1', role: 'qa' }, events: 1 });
    const added = await runWuma(['rework', 'add', m.cases[0]?.outer ?? '', cap(0).outer, ...signed('qa1', 'qa.pin')], base);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/4\/4/);
    const destroyed = await runWuma(['rework', 'destroy', cap(5).outer, ...signed('qa1', 'qa.pin')], { ...base, WUMA_PIN: undefined });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stdout).toContain('…');
    const verify = await runWuma(['verify', '--json'], base);
    expect(verify.code, verify.stdout).toBe(0);
    const text = allText([removed, added, destroyed, verify]);
    expect(m.caps.map((c) => c.inner).filter((s) => text.includes(s))).toEqual([]);
    expect(text).not.toContain(QA_PIN);
  });

  it('PIN from WUMA_PIN works for scripts', async () => {
    const r = await runWuma(['rework', 'sample', cap(1).outer, '--user', 'qa1', '--reason', '抽检'], { ...base, WUMA_PIN: QA_PIN });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/已抽样 2 个码/);
  });

  it('wrong role: exit 1 naming the roles needed, nothing changed', async () => {
    const r = await runWuma(['rework', 'remove', cap(0).outer, ...signed('op1', 'op.pin')], base);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/需要角色: 质检 qa \/ 管理员 admin/);
    const verify = await runWuma(['rework', 'remove', cap(0).outer, ...signed('qa1', 'qa.pin'), '--json'], base);
    expect(verify.json()).toMatchObject({ result: { childCount: 3 } });
  });

  it('bad PIN: exit 1 and the attempt is counted', async () => {
    const r = await runWuma(['rework', 'remove', cap(0).outer, ...signed('qa1', 'bad.pin')], base);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AUTH_FAILED.*还可尝试 4 次/);
    const list = await runWuma(['user', 'list', '--json'], base);
    expect(list.json<{ users: { id: string; failedAttempts: number }[] }>().users.find((u) => u.id === 'qa1')?.failedAttempts).toBe(1);
  });

  it('unknown code: exit 1 naming it masked; a usage error is exit 2', async () => {
    const secretLike = `${cap(0).inner.slice(0, -1)}Z`;
    const r = await runWuma(['rework', 'destroy', secretLike, ...signed('qa1', 'qa.pin')], base);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${secretLike.slice(0, 4)}…${secretLike.slice(-2)}`);
    expect(r.stderr).not.toContain(secretLike);
    expect((await runWuma(['rework', 'remove', cap(0).outer, '--user', 'qa1', '--pin-file', dir.file('qa.pin')], base)).code).toBe(2);
    expect((await runWuma(['rework', 'replace', cap(0).outer, ...signed('qa1', 'qa.pin')], base)).code).toBe(2);
    const noConfig = await runWuma(['rework', 'remove', cap(0).outer, ...signed('qa1', 'qa.pin')], { WUMA_DB: base['WUMA_DB'] });
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toMatch(/WUMA_CONFIG/);
  });

  it('--help lists the signing options', async () => {
    const r = await runWuma(['rework', 'break-pallet', '--help'], base);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--pin-file FILE[\s\S]*--reason TEXT/);
  });
});
