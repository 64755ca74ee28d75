import { createServer } from 'node:net';
import type { ReaderConfig, ReaderEndpoint, ReaderKind } from '../contract.ts';
import { CodeFeed } from '../emulators/code-feed.ts';
import type { EmulatorEndpoint } from '../emulators/emulator-transport.ts';
import type { ReaderEmulator } from '../emulators/reader-emulator.ts';
import type { ReaderConformanceTarget, ReaderHarness } from './reader.case.ts';

/** Conformance target for a text-protocol reader whose emulator is a TCP server on 127.0.0.1, port 0. */
export function tcpTarget(
  name: string,
  kind: ReaderKind,
  make: (endpoint: EmulatorEndpoint, feed: CodeFeed) => ReaderEmulator,
  options: ReaderConfig['options'] = {},
  lacks: ReaderConformanceTarget['lacks'] = [],
): ReaderConformanceTarget {
  return {
    name,
    lacks,
    async start(reads) {
      const emulator = await make({ kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feedOf(reads)).start();
      return harness(emulator, kind, { kind: 'tcp', host: '127.0.0.1', port: emulator.port }, options);
    },
  };
}

/** Conformance target for a reader that dials the station (Hikrobot client mode): the driver listens. */
export function tcpClientModeTarget(
  name: string,
  kind: ReaderKind,
  make: (endpoint: EmulatorEndpoint, feed: CodeFeed) => ReaderEmulator,
  options: ReaderConfig['options'] = {},
  lacks: ReaderConformanceTarget['lacks'] = [],
): ReaderConformanceTarget {
  return {
    name,
    lacks,
    async start(reads) {
      const port = await freePort();
      const emulator = make({ kind: 'tcp-connect', host: '127.0.0.1', port }, feedOf(reads));
      const h = harness(emulator, kind, { kind: 'tcp-listen', host: '127.0.0.1', port }, options);
      return {
        ...h,
        faults: emulator.faults,
        async attach() {
          // The driver starts listening inside open(); dial until it does (bounded: 100 × 20 ms).
          for (let attempt = 0; ; attempt += 1) {
            try {
              await emulator.start();
              return;
            } catch (error) {
              if (attempt >= 100) throw error;
              await new Promise((r) => setTimeout(r, 20));
            }
          }
        },
      };
    },
  };
}

export function harness(emulator: ReaderEmulator, kind: ReaderKind, endpoint: ReaderEndpoint, options: ReaderConfig['options']): ReaderHarness {
  return {
    config: (overrides = {}) => ({ kind, endpoint, options: { ...options, ...overrides.options }, ...withoutOptions(overrides) }),
    fire: async () => { emulator.fire(); },
    silence: async () => { emulator.faults.ignoreTriggers = true; },
    faults: emulator.faults,
    restart: () => emulator.restart(),
    stop: () => emulator.stop(),
  };
}

function withoutOptions(overrides: Partial<ReaderConfig>): Partial<ReaderConfig> {
  const { options: _ignored, ...rest } = overrides;
  return rest;
}

export function feedOf(reads: readonly (readonly string[])[]): CodeFeed {
  return new CodeFeed(reads.length === 0 ? [[]] : reads);
}

/**
 * A port that was free a moment ago (bind to 0, read it, close). Only for the reader-dials-us mode, where the
 * emulator must know the port before the driver listens; the window for a clash is microseconds.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => { resolve(port); });
    });
  });
}

/** Conformance target over a socat pty pair (a serial null-modem cable): emulator on one end, driver on the other. */
export function ptyTarget(
  name: string,
  kind: ReaderKind,
  make: (endpoint: EmulatorEndpoint, feed: CodeFeed) => ReaderEmulator,
  openPair: () => Promise<{ a: string; b: string; close(): Promise<void> }>,
  options: ReaderConfig['options'] = {},
  lacks: ReaderConformanceTarget['lacks'] = [],
): ReaderConformanceTarget {
  return {
    name,
    lacks,
    async start(reads) {
      const pair = await openPair();
      let emulator: ReaderEmulator;
      try {
        emulator = await make({ kind: 'serial', path: pair.b, baudRate: 9600 }, feedOf(reads)).start();
      } catch (error) {
        await pair.close();
        throw error;
      }
      const h = harness(emulator, kind, { kind: 'serial', path: pair.a, baudRate: 9600 }, options);
      return { ...h, stop: async () => { await emulator.stop(); await pair.close(); } };
    },
  };
}
