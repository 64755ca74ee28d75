import { SerialLink, TcpLink, TcpListenLink, type ByteLink } from '../../links/index.ts';
import type { ReaderEndpoint } from '../contract.ts';
import { fromLinkError, ReaderConfigError } from '../errors.ts';

/**
 * Opens the byte link an endpoint describes: connects to a reader that listens (Cognex, Keyence, Hikrobot server
 * mode; connect timeout default 5 s), waits for a reader that dials us (`tcp-listen`, Hikrobot client mode,
 * default 30 s), or opens a serial port. Failures are DeviceOfflineError or TimeoutError. OPC UA endpoints are
 * not byte links.
 */
export async function connectEndpoint(endpoint: ReaderEndpoint, options: { signal?: AbortSignal; timeoutMs?: number; onListening?: (port: number) => void } = {}): Promise<ByteLink> {
  let link: ByteLink;
  switch (endpoint.kind) {
    case 'tcp':
      link = new TcpLink({ host: endpoint.host, port: endpoint.port, connectTimeoutMs: options.timeoutMs ?? 5_000, peer: '读码器' });
      break;
    case 'tcp-listen':
      link = new TcpListenLink({ host: endpoint.host, port: endpoint.port, acceptTimeoutMs: options.timeoutMs, onListening: options.onListening, peer: '读码器' });
      break;
    case 'serial':
      link = new SerialLink({ path: endpoint.path, baudRate: endpoint.baudRate });
      break;
    case 'opcua':
      throw new ReaderConfigError('endpoint.kind', 'OPC UA 读码器不使用字节流连接 (OPC UA readers do not use a byte link)');
  }
  try {
    await link.open(options.signal);
  } catch (error) {
    throw fromLinkError(error);
  }
  return link;
}
