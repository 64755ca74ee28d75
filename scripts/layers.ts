/**
 * The rooms of edge/ and which rooms each may import (in the style of VS Code's layer table: one line per room,
 * read top to bottom from the bottom layer). A file in edge/<room>/ may import its own room and the rooms listed;
 * `edge/main.ts` and other top-level files of edge/ are the room `main`. Tests may import anything.
 *
 * Pure rooms first (domain < codes < aggregation: no I/O), then the store that applies them, the device and config
 * rooms, the line runtime (station), the API, and the composition rooms (devices, main, demo, cli) on top.
 * aggregation sits below store, not above it: its state machines and the case check are pure decisions the
 * store's transactions apply (store/batches.ts runs batchMachine, rejects carry aggregation's reasons).
 */
export const EDGE_LAYERS: Readonly<Record<string, readonly string[]>> = {
  domain: [],
  codes: ['domain'],
  aggregation: ['domain', 'codes'],
  config: ['domain'],
  store: ['domain', 'codes', 'aggregation'],
  plc: ['domain'],
  render: ['domain', 'codes'],
  packages: ['domain', 'codes', 'store'],
  generate: ['domain', 'codes', 'store', 'packages'],
  report: ['domain', 'aggregation', 'store'],
  warehouse: ['domain', 'codes', 'store', 'report'],
  station: ['domain', 'codes', 'aggregation', 'config', 'store', 'plc'],
  pairing: ['domain', 'codes', 'config', 'store', 'plc', 'packages', 'station', 'api'],
  api: ['domain', 'codes', 'aggregation', 'store', 'packages', 'render', 'report', 'station', 'warehouse'],
  devices: ['domain', 'config', 'station', 'api'],
  main: ['domain', 'config', 'store', 'plc', 'station', 'api', 'devices', 'warehouse'],
  demo: ['domain', 'codes', 'aggregation', 'config', 'store', 'plc', 'packages', 'generate', 'station', 'api', 'main', 'pairing', 'warehouse'],
  cli: ['domain', 'codes', 'aggregation', 'config', 'store', 'plc', 'render', 'packages', 'generate', 'report', 'station', 'api', 'devices', 'main', 'demo', 'pairing', 'warehouse'],
};

/** The room of an edge/ path (`edge/store/open.ts` → store, `edge/main.ts` → main), or null outside edge/. */
export function edgeRoom(path: string): string | null {
  const parts = path.split('/');
  if (parts[0] !== 'edge') return null;
  return parts.length === 2 ? 'main' : parts[1] ?? null;
}

/** The layer rule for one import edge between repository paths; null when allowed. */
export function layerViolation(file: string, target: string, table: Readonly<Record<string, readonly string[]>> = EDGE_LAYERS): string | null {
  if (file.endsWith('.test.ts')) return null;
  const from = edgeRoom(file);
  const to = edgeRoom(target);
  if (from === null || to === null || from === to) return null;
  const allowed = table[from];
  if (allowed === undefined) return `edge/${from}/ is not in the layer table (scripts/layers.ts): add it`;
  if (!table[to]) return `edge/${to}/ is not in the layer table (scripts/layers.ts): add it`;
  return allowed.includes(to) ? null : `edge/${from}/ must not import edge/${to}/ (layer table, scripts/layers.ts)`;
}

/** Cycles in a table or import graph (each as the path that closes it), found by depth-first search. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]> | Readonly<Record<string, readonly string[]>>): string[][] {
  const edges = graph instanceof Map ? graph as ReadonlyMap<string, readonly string[]> : new Map(Object.entries(graph));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const s = state.get(next);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
