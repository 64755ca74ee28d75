import { queryCode } from '../store/query.ts';
import { newestRejects } from '../store/rejects.ts';
import { CODE, obj, SIGNATURE } from './json-schema.ts';
import { rejectView } from './change-feed.ts';
import type { CodeHistoryView, RejectView } from './contract.ts';
import { ApiError } from './errors.ts';
import { sessionOf, type RouteImpls } from './route-types.ts';
import { throughputSeries } from './series.ts';

export const STATION_ROUTES: RouteImpls<'status' | 'endPallet' | 'queryCode' | 'listRejects' | 'series'> = {
  status: { handle: (deps) => deps.feed.status() },
  endPallet: {
    body: { type: 'object', properties: { reason: { ...SIGNATURE.reason, description: '短垛原因，不足一垛时必填 (why the pallet ends short; required below the ratio)' } }, additionalProperties: false },
    async handle(deps, input) {
      const station = deps.station;
      if (station?.endPallet === undefined) throw new ApiError('NO_STATION', '本进程没有运行中的工作站，无法结束垛 (no station runs in this process)');
      const result = await station.endPallet(sessionOf(input).user.id, input.body.reason);
      deps.feed.poke();
      return result;
    },
  },
  queryCode: {
    // POST, not GET: the scanned value may be a secret inner code and must not land in URLs, history or proxy logs.
    body: obj({ code: CODE }),
    handle(deps, { body }) {
      const history = queryCode(deps.db, body.code);
      return { found: history !== null, history: history satisfies CodeHistoryView | null };
    },
  },
  listRejects: {
    query: { type: 'object', properties: { batchId: { type: 'integer', minimum: 1 }, limit: { type: 'integer', minimum: 1, maximum: 1000 } }, additionalProperties: false },
    handle(deps, { query }) {
      const rows = newestRejects(deps.db, { limit: query?.limit ?? 200, ...(query?.batchId === undefined ? {} : { batchId: query.batchId }) });
      return { rejects: rows.map((r): RejectView => rejectView(r)) };
    },
  },
  series: {
    query: {
      type: 'object',
      properties: { minutes: { type: 'integer', minimum: 1, maximum: 7 * 24 * 60 }, bucketSeconds: { type: 'integer', minimum: 10, maximum: 86_400 } },
      additionalProperties: false,
    },
    handle(deps, { query }) {
      const minutes = query?.minutes ?? 60;
      const bucketSeconds = query?.bucketSeconds ?? 60;
      if ((minutes * 60) / bucketSeconds > 2000) {
        throw new ApiError('BAD_REQUEST', '时间段内的点数过多（最多 2000）(too many points; at most 2000)', { errors: [{ path: 'query.bucketSeconds', message: '相对 minutes 太小 (too small for this many minutes)' }] });
      }
      return throughputSeries(deps.db, { minutes, bucketSeconds });
    },
  },
};
