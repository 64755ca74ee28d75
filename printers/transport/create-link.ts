import type { Endpoint } from '../contract.ts';
import type { ByteLink } from './byte-link.ts';
import { SerialLink } from './serial-link.ts';
import { TcpLink } from './tcp-link.ts';

/** Builds the (unopened) link for an endpoint. */
export function createLink(endpoint: Endpoint): ByteLink {
  return endpoint.kind === 'tcp'
    ? new TcpLink({ host: endpoint.host, port: endpoint.port })
    : new SerialLink({ path: endpoint.path, baudRate: endpoint.baudRate });
}
