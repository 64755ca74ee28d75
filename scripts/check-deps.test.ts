import { describe, expect, it } from 'vitest';
import { checkSource, checkTree, cycleViolations } from './check-deps.ts';

describe('dependency-direction lint', () => {
  const cases: Array<[string, string, string | null]> = [
    ['printers/drivers/zpl/driver.ts', "import { x } from '../../../edge/store/index.ts';", 'printers/ must not import edge/'],
    ['sync/sender/sender.ts', "import { x } from '../../scanners/index.ts';", 'sync/ must not import scanners/'],
    ['edge/main.ts', "import { x } from '../printers/drivers/zpl/codec.ts';", 'edge/ imports printers/ only through printers/index.ts'],
    ['edge/cli/commands/sync.ts', "import { Sender } from '../../../sync/sender/index.ts';", null],
    ['edge/cli/commands/sync.ts', "import { Sender } from '../../../sync/sender/sender.ts';", 'edge/ imports sync/ only through sync/index.ts (or sync/sender/index.ts)'],
    ['desktop/renderer/pda/order-screen.ts', "import type { X } from '../../../edge/api/warehouse-contract.ts';", null],
    ['edge/main.ts', "import { x } from '../printers/index.ts';", null],
    ['edge/codes/generate.ts', "import { randomFillSync } from 'node:crypto';", 'pure domain code imports no node:* module'],
    ['edge/codes/generate.ts', "import { randomFillSync } from 'crypto';", 'pure domain code imports no node:* module'],
    ['edge/aggregation/case.ts', "import Database from 'better-sqlite3';", 'pure domain code imports no SQLite or device library'],
    ['edge/aggregation/case.ts', "import { openStore } from '../store/open.ts';", 'pure domain code imports only pure domain code'],
    ['edge/aggregation/case.ts', "import { mask } from '../domain/mask.ts';", null],
    ['desktop/renderer/app.ts', "import { ipcRenderer } from 'electron';", 'the renderer imports no node:* and no electron'],
    ['desktop/renderer/app.ts', "import type { Api } from '../../edge/api/contract.ts';", null],
    ['desktop/renderer/app.ts', "import { openStore } from '../../edge/store/index.ts';", 'the renderer imports only edge/api/contract.ts, edge/api/client.ts and desktop/shared'],
    ['desktop/preload/index.ts', "import { readFileSync } from 'node:fs';", 'preload imports electron and desktop/shared only'],
    ['edge/api/http.ts', "import { x } from '../../desktop/shared/ipc.ts';", 'nothing outside desktop/ imports desktop/'],
    ['printers/emulators/zpl.ts', "import { encode } from '../drivers/zpl/codec.ts';", 'an emulator never imports its driver code (both are pinned by golden fixtures)'],
    ['edge/codes/x.ts', "const m = await import('node:fs');", 'pure domain code imports no node:* module'],
    ['sync/index.ts', "export * from './sender.ts';", 'a public index.ts has an explicit export list (no export *)'],
    ['printers/drivers/zpl/driver.ts', "import type { Store } from '../../../edge/store/index.ts';", 'printers/ must not import edge/'],
    ['desktop/renderer/app.ts', "type S = import('../../edge/store/index.ts').Store;", 'the renderer imports only edge/api/contract.ts, edge/api/client.ts and desktop/shared'],
    ['links/transport/tcp-link.ts', "import { DeviceOfflineError } from '../../printers/errors.ts';", 'links/ must not import printers/'],
    ['links/opcua/opcua-session.ts', "import type { PlcPort } from '../../edge/plc/index.ts';", 'links/ must not import edge/'],
    ['links/index.ts', "export type { ReaderConfig } from '../scanners/index.ts';", 'links/ must not import scanners/'],
    ['printers/drivers/zpl/driver.ts', "import { StxEtxFramer } from '../../../links/framing/stx-etx-framer.ts';", 'printers/ imports links/ only through links/index.ts'],
    ['scanners/transport/connect-endpoint.ts', "import { TcpLink } from '../../links/index.ts';", null],
    ['edge/plc/drivers/opcua-plc.ts', "import { OpcuaSession } from '../../../links/opcua/opcua-session.ts';", 'edge/ imports links/ only through links/index.ts'],
    ['edge/plc/drivers/opcua-plc.ts', "import { OpcuaSession } from '../../../links/index.ts';", null],
  ];
  for (const [file, source, rule] of cases) {
    it(`${file}: ${source}`, () => {
      const rules = checkSource(file, source).map((v) => v.rule);
      if (rule === null) expect(rules).toEqual([]);
      else expect(rules).toContain(rule);
    });
  }

  it('the repository itself is clean', () => {
    expect(checkTree(process.cwd())).toEqual([]);
  });

  it('reports an import cycle among sources (types included), but not through a test file', () => {
    const sources = new Map([
      ['edge/plc/a.ts', "import type { B } from './b.ts';"],
      ['edge/plc/b.ts', "import { a } from './a.ts';"],
      ['edge/plc/c.ts', "import { t } from './c.test.ts';"],
      ['edge/plc/c.test.ts', "import { c } from './c.ts';"],
    ]);
    expect(cycleViolations(sources).map((v) => v.rule)).toEqual(['no import cycles: edge/plc/a.ts → edge/plc/b.ts → edge/plc/a.ts']);
  });

  it('applies the edge/ layer table (scripts/layers.ts) to each import', () => {
    expect(checkSource('edge/store/x.ts', "import { s } from '../station/logger.ts';").map((v) => v.rule))
      .toEqual(['edge/store/ must not import edge/station/ (layer table, scripts/layers.ts)']);
  });
});
