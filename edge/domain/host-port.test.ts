import { describe, expect, it } from 'vitest';
import { splitHostPort } from './host-port.ts';

describe('splitHostPort', () => {
  it('splits host and port, IPv6 in brackets', () => {
    expect(splitHostPort('192.168.10.21:23')).toEqual({ host: '192.168.10.21', port: 23 });
    expect(splitHostPort('[::1]:9100')).toEqual({ host: '::1', port: 9100 });
  });
  it('refuses what is not HOST:PORT or a port out of range; port 0 only when asked', () => {
    for (const bad of ['localhost', ':9100', 'host:', 'host:99999', 'host:65536', 'a b:1', 'host:0']) expect(splitHostPort(bad), bad).toBeNull();
    expect(splitHostPort('127.0.0.1:0', 0)).toEqual({ host: '127.0.0.1', port: 0 });
  });
});
