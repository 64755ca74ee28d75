import { describe, expect, it } from 'vitest';
import { CodeFeed } from '../emulators/code-feed.ts';
import { createCognexEmulator } from '../emulators/cognex-emulator.ts';
import { createKeyenceEmulator } from '../emulators/keyence-emulator.ts';
import { probeReader } from '../probe-reader.ts';

const feed = () => new CodeFeed([['CAP-0001']]);

describe('probeReader', () => {
  it('reports a Cognex reader online with the identity DMCC returns', async () => {
    const emulator = await createCognexEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: feed() }).start();
    try {
      const r = await probeReader({ kind: 'cognex', endpoint: { kind: 'tcp', host: '127.0.0.1', port: emulator.port } });
      expect(r).toMatchObject({ ok: true, kind: 'cognex', state: 'ready', identity: { vendor: 'Cognex', model: 'DataMan 470 (emulated)', serial: 'EMU0000470', firmware: '6.1.16 (emulated)' } });
    } finally {
      await emulator.stop();
    }
  });

  it('reports a Keyence reader with the configured model (SR has no identity query here)', async () => {
    const emulator = await createKeyenceEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: feed() }).start();
    try {
      const r = await probeReader({ kind: 'keyence', endpoint: { kind: 'tcp', host: '127.0.0.1', port: emulator.port }, options: { model: 'SR-1000' } });
      expect(r).toMatchObject({ ok: true, identity: { vendor: 'Keyence', model: 'SR-1000' } });
    } finally {
      await emulator.stop();
    }
  });

  it('returns a reason, never throws, when the reader is offline, silent or misconfigured', async () => {
    const emulator = await createKeyenceEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: feed() }).start();
    const port = emulator.port;
    await emulator.stop();
    const offline = await probeReader({ kind: 'keyence', endpoint: { kind: 'tcp', host: '127.0.0.1', port } });
    expect(offline).toMatchObject({ ok: false, code: 'DEVICE_OFFLINE' });
    expect(offline.ok === false && offline.reason).toContain('无法连接读码器');

    const silent = await createCognexEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: feed() }).start();
    try {
      silent.faults.delayMs = 5_000;
      const r = await probeReader({ kind: 'cognex', endpoint: { kind: 'tcp', host: '127.0.0.1', port: silent.port } });
      expect(r).toMatchObject({ ok: false, code: 'TIMEOUT' });
    } finally {
      await silent.stop();
    }

    const wrong = await probeReader({ kind: 'opcua', endpoint: { kind: 'tcp', host: '127.0.0.1', port: 1 } });
    expect(wrong).toMatchObject({ ok: false, code: 'CONFIG' });
    expect(wrong.ok === false && wrong.reason).toContain('endpoint.kind');
  });
});
