import { SerialLink, TcpLink, type ByteLink } from '../../links/index.ts';
import type { Endpoint } from '../contract.ts';
import { PrinterConfigError } from '../errors.ts';

/** Builds the (unopened) link for an endpoint. */
export function createLink(endpoint: Endpoint): ByteLink {
  if (endpoint.kind === 'opcua') throw new PrinterConfigError('endpoint', 'OPC UA 地址没有字节链路 (an opc.tcp:// endpoint has no byte link)');
  return endpoint.kind === 'tcp'
    ? new TcpLink({ host: endpoint.host, port: endpoint.port, peer: '打印机' })
    : new SerialLink({ path: endpoint.path, baudRate: endpoint.baudRate });
}
