import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../main.ts';
import { PRINTER_EMULATORS } from '../../../printers/index.ts';

function io(shutdown: Promise<string> = new Promise(() => undefined)) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => { out += d.toString(); });
  stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return { io: { stdout, stderr, env: {}, shutdown }, out: () => out, err: () => err };
}

describe('wuma device print-test / emulate printer', () => {
  it('prints N test codes against the ZPL emulator and reports each confirmation (--json)', async () => {
    const emu = PRINTER_EMULATORS.zpl({ printMs: 5 });
    const { port } = await emu.listenTcp();
    try {
      const t = io();
      const code = await runCli(['device', 'print-test', '--driver', 'zpl', '--tcp', `127.0.0.1:${port}`, '--count', '4', '--json'], t.io);
      expect(code).toBe(0);
      const doc = JSON.parse(t.out().trim()) as { ok: boolean; results: Array<{ result: string; code: string }> };
      expect(doc.ok).toBe(true);
      expect(doc.results.map((r) => r.result)).toEqual(['printed', 'printed', 'printed', 'printed']);
      expect(emu.printed.map((p) => p.code)).toEqual(doc.results.map((r) => r.code));
    } finally {
      await emu.close();
    }
  });

  it('exits 1 with a clear reason when nothing listens, 2 on bad arguments', async () => {
    const emu = PRINTER_EMULATORS.text();
    const { port } = await emu.listenTcp();
    await emu.close();
    const t = io();
    expect(await runCli(['device', 'print-test', '--driver', 'text', '--tcp', `127.0.0.1:${port}`], t.io)).toBe(1);
    expect(t.err()).toMatch(/无法连接/);
    const u = io();
    expect(await runCli(['device', 'print-test', '--driver', 'epson', '--tcp', '127.0.0.1:1'], u.io)).toBe(2);
    expect(u.err()).toMatch(/--driver 不支持 "epson"/);
    const v = io();
    expect(await runCli(['device', 'print-test', '--driver', 'zpl', '--tcp', 'nohost'], v.io)).toBe(2);
    expect(v.err()).toMatch(/HOST:PORT/);
  });

  it('emulate printer runs until shutdown and logs what it receives, codes masked', async () => {
    let stop: (s: string) => void = () => undefined;
    const t = io(new Promise((r) => { stop = r; }));
    const running = runCli(['emulate', 'printer', 'linx', '--tcp', '127.0.0.1:0', '--fault', 'split'], t.io);
    const end = Date.now() + 5_000;
    const listening = /listening on\) 127\.0\.0\.1:(\d+)/;
    while (!listening.test(t.out()) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    const port = Number(listening.exec(t.out())?.[1]);
    const p = io();
    try {
      expect(await runCli(['device', 'print-test', '--driver', 'linx', '--tcp', `127.0.0.1:${port}`, '--count', '2'], p.io)).toBe(0);
    } finally {
      stop('SIGINT');
    }
    expect(await running).toBe(0);
    expect(t.out()).toMatch(/已打印 \(printed\) WUMA…\d\d/);
    expect(t.out()).not.toMatch(/WUMA-TEST-\d+-001/);
    const bad = io();
    expect(await runCli(['emulate', 'printer', 'zpl', '--tcp', '127.0.0.1:0', '--fault', 'melt'], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/--fault 不支持 "melt"/);
  });
});
