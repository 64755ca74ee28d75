import type { ReaderEndpoint } from '../contract.ts';
import { ReaderConfigError } from '../errors.ts';
import type { ByteLink } from './byte-link.ts';
import { acceptTcp, connectTcp } from './tcp-link.ts';
import { openSerial } from './serial-link.ts';

/** Opens the byte link an endpoint describes. OPC UA endpoints are not byte links. */
export function connectEndpoint(endpoint: ReaderEndpoint, options: { signal?: AbortSignal; timeoutMs?: number; onListening?: (port: number) => void } = {}): Promise<ByteLink> {
  switch (endpoint.kind) {
    case 'tcp':
      return connectTcp(endpoint.host, endpoint.port, options);
    case 'tcp-listen':
      return acceptTcp(endpoint.host, endpoint.port, options);
    case 'serial':
      return openSerial(endpoint.path, endpoint.baudRate);
    case 'opcua':
      return Promise.reject(new ReaderConfigError('endpoint.kind', 'OPC UA 读码器不使用字节流连接 (OPC UA readers do not use a byte link)'));
  }
}
