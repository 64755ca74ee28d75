import { describe, expect, it } from 'vitest';
import { EDGE_LAYERS, edgeRoom, findCycles, layerViolation } from './layers.ts';

describe('edge/ layer table', () => {
  it('is itself acyclic, and every room it names is a row', () => {
    expect(findCycles(EDGE_LAYERS)).toEqual([]);
    for (const [room, allowed] of Object.entries(EDGE_LAYERS)) {
      for (const to of allowed) expect(EDGE_LAYERS[to], `${room} → ${to}`).toBeDefined();
    }
  });

  it('puts the rooms the issue names in order: domain < codes < store < station < api < main', () => {
    const order = ['domain', 'codes', 'store', 'station', 'api', 'main'];
    for (let i = 1; i < order.length; i += 1) {
      expect(EDGE_LAYERS[order[i]!], `${order[i]} may import ${order[i - 1]}`).toContain(order[i - 1]);
      expect(EDGE_LAYERS[order[i - 1]!], `${order[i - 1]} must not import ${order[i]}`).not.toContain(order[i]);
    }
  });

  const cases: Array<[string, string, string | null]> = [
    ['edge/station/line-runtime.ts', 'edge/store/open.ts', null],
    ['edge/station/api-adapter.ts', 'edge/api/contract.ts', 'edge/station/ must not import edge/api/ (layer table, scripts/layers.ts)'],
    ['edge/store/batches.ts', 'edge/station/logger.ts', 'edge/store/ must not import edge/station/ (layer table, scripts/layers.ts)'],
    ['edge/domain/product.ts', 'edge/codes/gs1/linters.ts', 'edge/domain/ must not import edge/codes/ (layer table, scripts/layers.ts)'],
    ['edge/api/start-api.ts', 'edge/main.ts', 'edge/api/ must not import edge/main/ (layer table, scripts/layers.ts)'],
    ['edge/api/it-routes.ts', 'edge/devices/device-test.ts', 'edge/api/ must not import edge/devices/ (layer table, scripts/layers.ts)'],
    ['edge/main.ts', 'edge/api/index.ts', null],
    ['edge/store/open.ts', 'edge/store/migrate.ts', null],
    ['edge/api/start-api.test.ts', 'edge/main.ts', null],
    ['edge/courier/dispatch.ts', 'edge/store/open.ts', 'edge/courier/ is not in the layer table (scripts/layers.ts): add it'],
    ['printers/index.ts', 'edge/store/open.ts', null],
  ];
  it.each(cases)('%s → %s', (file, target, rule) => {
    expect(layerViolation(file, target)).toBe(rule);
  });

  it('names rooms by folder; top-level files of edge/ are main', () => {
    expect([edgeRoom('edge/main.ts'), edgeRoom('edge/store/rework/move.ts'), edgeRoom('sync/index.ts')]).toEqual(['main', 'store', null]);
  });

  it('finds import cycles, each as the path that closes it', () => {
    expect(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });
});
