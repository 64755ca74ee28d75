import { afterEach, describe, expect, it } from 'vitest';
import { warmValidators } from '../../sync/index.ts';
import { startTestLine, type TestLine } from './station-fixture.ts';

/**
 * What startStation has done before the first case arrives. This file must not commit a case before its first
 * test: the EPCIS validators are compiled once per process, and a commit would compile them itself.
 */

let line: TestLine | null = null;
afterEach(async () => { await line?.close(); line = null; });

describe('station start', () => {
  it('compiles the EPCIS validators before taking cases, so the first commit does not block on them', async () => {
    line = await startTestLine();
    expect(line.logs.some((l) => l.includes('EPCIS 校验器已就绪 (EPCIS validators compiled)'))).toBe(true);
    // Already compiled: a cold compile takes ~200 ms, a warm call microseconds (bounded loosely, not a benchmark).
    const started = performance.now();
    warmValidators();
    expect(performance.now() - started).toBeLessThan(50);
  });
});
