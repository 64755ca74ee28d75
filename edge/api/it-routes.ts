import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { CODE_KINDS } from '../domain/kinds.ts';
import { importCodePackage, PackageError } from '../packages/index.ts';
import { palletConfirmations, syncStatus } from '../store/outbox.ts';
import { recentPackages } from '../store/code-packages.ts';
import type { PackageView } from './contract.ts';
import { ApiError } from './errors.ts';
import { sessionOf, type RouteImpls } from './route-types.ts';

/** Progress pushes during an import: at most one per this many ms (plus the first and the last). */
const PROGRESS_EVERY_MS = 100;
export const PASSPHRASE_HEADER = 'x-wuma-package-passphrase';

export const IT_ROUTES: RouteImpls<'listDevices' | 'probeDevice' | 'testDevice' | 'listPackages' | 'importPackage' | 'syncStatus'> = {
  listDevices: { handle: (deps) => ({ devices: deps.devices.map((d) => d.view) }) },
  probeDevice: {
    async handle(deps, { params }) {
      const id = params['deviceId'] ?? '';
      const device = deps.devices.find((d) => d.view.id === id);
      if (device === undefined) throw new ApiError('NOT_FOUND', `设备 ${JSON.stringify(id)} 不存在 (unknown device)`);
      const result = await device.probe();
      deps.logger.info('api.device.probed', { deviceId: id, ok: result.ok });
      return result;
    },
  },
  testDevice: {
    async handle(deps, { params, session }) {
      const id = params['deviceId'] ?? '';
      const device = deps.devices.find((d) => d.view.id === id);
      if (device === undefined) throw new ApiError('NOT_FOUND', `设备 ${JSON.stringify(id)} 不存在 (unknown device)`);
      const result = await device.test();
      deps.logger.info('api.device.tested', { deviceId: id, result: result.kind, userId: session?.user.id ?? null });
      return result;
    },
  },
  listPackages: {
    handle(deps) {
      return { packages: recentPackages(deps.db, 500).map((r): PackageView => ({ ...r })) };
    },
  },
  importPackage: {
    upload: true,
    query: {
      type: 'object',
      properties: {
        kind: { enum: [...CODE_KINDS] }, productId: { type: 'string', minLength: 1, maxLength: 64 }, supplier: { type: 'string', minLength: 1, maxLength: 100 },
        importId: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' }, count: { type: 'integer', minimum: 0 }, sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
        fileName: { type: 'string', minLength: 1, maxLength: 200 },
      },
      additionalProperties: false,
    },
    /**
     * The body is the package file itself (plain one-code-per-line or a sealed .wpkg), streamed to a temp file in
     * `uploadDir` and removed afterwards. Progress is pushed on the `import` topic under `importId` (the client may
     * choose it, to follow progress before the response arrives): bytes while uploading, lines while verifying.
     * A sealed package's passphrase comes in the X-Wuma-Package-Passphrase header, never in the URL.
     */
    async handle(deps, input) {
      const user = sessionOf(input).user;
      const q = input.query;
      const importId = q.importId ?? randomUUID();
      const file = join(deps.uploadDir, `upload-${importId}-${randomUUID()}`);
      let bytes = 0;
      let lastPush = 0;
      const progress = (phase: 'upload' | 'verify' | 'done' | 'failed', linesRead: number, force = false): void => {
        const now = Date.now();
        if (!force && now - lastPush < PROGRESS_EVERY_MS) return;
        lastPush = now;
        deps.feed.publishImport({ importId, linesRead, bytesReceived: bytes, phase });
      };
      const limit = deps.maxUploadBytes;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          if (bytes > limit) { done(new ApiError('TOO_LARGE', `文件超过 ${limit} 字节上限 (file larger than ${limit} bytes)`)); return; }
          progress('upload', 0);
          done(null, chunk);
        },
      });
      try {
        progress('upload', 0, true);
        await pipeline(input.req, counter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
        const pass = input.req.headers[PASSPHRASE_HEADER];
        const passphrase = Array.isArray(pass) ? pass[0] : pass;
        const outcome = await importCodePackage(deps.db, {
          path: file, kind: (q.kind as (typeof CODE_KINDS)[number] | undefined) ?? null, productId: q.productId ?? null, supplier: q.supplier ?? null,
          key: passphrase === undefined ? null : { type: 'passphrase', passphrase }, expectCount: q.count ?? null, expectSha256: q.sha256 ?? null,
          actor: user.id, onProgress: (lines) => { progress('verify', lines); },
        });
        progress(outcome.report.ok ? 'done' : 'failed', outcome.report.lines, true);
        deps.logger.info('api.package.import', { importId, userId: user.id, ok: outcome.report.ok, stored: outcome.stored });
        deps.feed.poke();
        return { importId, ok: outcome.report.ok, packageUuid: outcome.packageUuid, stored: outcome.stored, report: { ...outcome.report, file: q.fileName ?? 'upload' } };
      } catch (error) {
        progress('failed', 0, true);
        if (error instanceof PackageError) {
          throw new ApiError(error.code === 'BAD_INPUT' ? 'BAD_REQUEST' : error.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'CONFLICT', error.message, { details: { packageCode: error.code } });
        }
        throw error;
      } finally {
        await rm(file, { force: true });
      }
    },
  },
  syncStatus: {
    handle(deps) {
      const s = syncStatus(deps.db);
      return { counts: s.counts, oldestPendingAt: s.oldestPendingAt, lastSuccessAt: s.lastSuccessAt, sender: s.sender, quarantined: s.quarantined, pallets: palletConfirmations(deps.db) };
    },
  },
};
