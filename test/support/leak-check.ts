import { afterEach, beforeEach, expect } from 'vitest';

/**
 * Shared hygiene check (STYLE.md "Tests"): every test closes what it opens. Before each test we count the
 * live handles that matter (sockets, servers, child processes, ptys, timers); after it we wait briefly for
 * them to drain back to that count and fail the test, naming what leaked, if they do not.
 */
const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'ProcessWrap', 'PipeWrap', 'TTYWrap', 'Timeout', 'FSEventWrap', 'UDPWrap']);
const SETTLE_MS = 2_000;

function count(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) {
    if (WATCHED.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function excess(before: Map<string, number>): string[] {
  const now = count();
  const leaks: string[] = [];
  for (const [name, n] of now) {
    const was = before.get(name) ?? 0;
    if (n > was) leaks.push(`${name} +${n - was}`);
  }
  return leaks;
}

let baseline = new Map<string, number>();

beforeEach(() => {
  baseline = count();
});

afterEach(async () => {
  const deadline = Date.now() + SETTLE_MS;
  let leaks = excess(baseline);
  while (leaks.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => { const t = setTimeout(resolve, 20); t.unref(); });
    leaks = excess(baseline);
  }
  expect(leaks, 'handles left open by this test').toEqual([]);
});
