// https:// goes through the same guarded lookup; certificate problems are HTTP_REQUEST_FAILED.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { httpTool, toolError } from './harness.js';

// A self-signed test certificate for tls.test and 127.0.0.1 (valid until 2126); not trusted by Node.
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgd1XT5/b0ArMGl27B
HCvx024srFoXgdd2Vam+wLk5QHShRANCAAQYDRI7XVlJZi1V2djqr4oJBwrq62DL
57PcXpqg2gsUdT0pbRx4l/4tCyFvZAGgh2aOENvVSbBaH3V3DO3NWEXQ
-----END PRIVATE KEY-----
`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBlzCCAT6gAwIBAgIUJdYZZHrYaR7iix9Sk98knjawyeIwCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIdGxzLnRlc3QwIBcNMjYxMTI1MDUwMDMwWhgPMjEyNjExMDEw
NTAwMzBaMBMxETAPBgNVBAMMCHRscy50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEGA0SO11ZSWYtVdnY6q+KCQcK6utgy+ez3F6aoNoLFHU9KW0ceJf+LQsh
b2QBoIdmjhDb1UmwWh91dwztzVhF0KNuMGwwHQYDVR0OBBYEFI0VZqzLKOwdYlU8
3ALRRh0RkyhCMB8GA1UdIwQYMBaAFI0VZqzLKOwdYlU83ALRRh0RkyhCMA8GA1Ud
EwEB/wQFMAMBAf8wGQYDVR0RBBIwEIIIdGxzLnRlc3SHBH8AAAEwCgYIKoZIzj0E
AwIDRwAwRAIgBRMr2f1nzzviXHF9vBcBbRpb/4HXaBjuZA+S6h7+GHsCIEdm62Dm
BJjuerl5/ORo8x9ofvtBdghQrq9sjmy+iMr2
-----END CERTIFICATE-----
`;

let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  server = createServer({ key: KEY, cert: CERT }, (_req, res) => res.end('secure'));
  server.on('connection', () => connections++);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

const toLoopback = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);

describe('http_request: https', () => {
  it('a host name resolving to a refused address is refused before the TLS handshake', async () => {
    const call = await httpTool({ timeout_seconds: 5 }, { resolve: toLoopback });
    const err = await toolError(call({ url: `https://tls.test:${port}/` }));
    expect(err.code).toBe('HTTP_PRIVATE_ADDRESS');
    expect(connections).toBe(0);
  });

  it('an allowed host name connects to the checked address, and an untrusted certificate is HTTP_REQUEST_FAILED', async () => {
    const call = await httpTool(
      { allowed_private_cidrs: ['127.0.0.1/32'], timeout_seconds: 5 },
      { resolve: toLoopback },
    );
    const err = await toolError(call({ url: `https://tls.test:${port}/` }));
    expect(err.code).toBe('HTTP_REQUEST_FAILED');
    expect(String(err.data.reason)).toMatch(/TLS error|CERT/);
    expect(connections).toBe(1);
  });
});
