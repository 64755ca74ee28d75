import { readFileSync } from 'node:fs';
import { parseEpcisContext, type EpcisContext } from '../../../sync/index.ts';
import { StoreError } from '../errors.ts';

/**
 * Reading a signer's PIN and the station's EPCIS context from where scripts keep them (CLI and tests): the PIN
 * from a file (first line) or the WUMA_PIN variable — never from the command line, where `ps` and shell history
 * would keep it; the context from the station config file's `epcis` object (--config or WUMA_CONFIG).
 */
export function readPin(pinFile: string | undefined, env: NodeJS.ProcessEnv): string {
  if (pinFile !== undefined) {
    let text: string;
    try { text = readFileSync(pinFile, 'utf8'); } catch (error) {
      throw new StoreError('INVALID_INPUT', `无法读取 PIN 文件 ${pinFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'} (cannot read the PIN file)`);
    }
    const pin = text.split(/\r?\n/)[0] ?? '';
    if (pin.length === 0) throw new StoreError('INVALID_INPUT', `PIN 文件 ${pinFile} 为空 (PIN file is empty)`);
    return pin;
  }
  const pin = env['WUMA_PIN'];
  if (pin === undefined || pin.length === 0) throw new StoreError('INVALID_INPUT', '需要 PIN：用 --pin-file 文件或环境变量 WUMA_PIN (a PIN is needed: --pin-file or WUMA_PIN)');
  return pin;
}

export function readEpcisContext(configFile: string | undefined, env: NodeJS.ProcessEnv): EpcisContext {
  const path = configFile ?? env['WUMA_CONFIG'];
  if (path === undefined || path.length === 0) {
    throw new StoreError('INVALID_INPUT', '需要工作站配置文件以生成 EPCIS 事件：--config 文件或环境变量 WUMA_CONFIG (station config needed for EPCIS events: --config or WUMA_CONFIG)');
  }
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(path, 'utf8')); } catch (error) {
    throw new StoreError('INVALID_INPUT', `无法读取工作站配置 ${path}: ${(error as Error).message} (cannot read the station config)`);
  }
  return parseEpcisContext((raw as { epcis?: unknown } | null)?.epcis, 'epcis');
}

/** The options every signed rework command takes (shape of edge/cli/command.ts OptionSpec). */
export const SIGNING_OPTIONS = {
  user: { type: 'string', value: 'ID', description: '签名人工号 (signing user id)' },
  'pin-file': { type: 'string', value: 'FILE', description: 'PIN 所在文件，第一行；或环境变量 WUMA_PIN (file holding the PIN; or env WUMA_PIN)' },
  reason: { type: 'string', value: 'TEXT', description: '原因，必填 (reason, required)' },
  config: { type: 'string', value: 'FILE', description: '工作站配置，取其 epcis 部分；或环境变量 WUMA_CONFIG (station config for EPCIS events; or env WUMA_CONFIG)' },
} as const;
