// http_request refuses loopback, private, link-local and other non-public addresses unless configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { answer, httpTool, startServer, toolError, type LocalServer } from './harness.js';

// `untouched` is the target of refused requests only: it must never see a connection.
let untouched: LocalServer;
let server: LocalServer;
beforeAll(async () => {
  untouched = await startServer(answer(200, 'must not be reached'));
  server = await startServer(answer(200, 'reached'));
});
afterAll(async () => {
  await Promise.all([untouched.close(), server.close()]);
});

// A short ceiling: if a refused address were connected to after all, the test fails with HTTP_TIMEOUT
// (or a result) instead of hanging on an unroutable address.
const strict = { timeout_seconds: 5 };

describe('http_request: private addresses are refused by default', () => {
  // PORT is the untouched server's port: a loopback request that slipped through would reach it.
  it.each([
    'http://127.0.0.1:PORT/',
    'http://localhost:PORT/',
    'http://[::1]:PORT/',
    'http://[::ffff:127.0.0.1]:PORT/',
    'http://[::ffff:7f00:1]:PORT/',
    'http://2130706433:PORT/',
    'http://0x7f.1:PORT/',
    'http://0177.0.0.1:PORT/',
    'http://127.1:PORT/',
    'http://0:PORT/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://100.64.0.1/',
    'http://[fe80::1]/',
    'https://127.0.0.1/',
  ])('refuses %s without reaching any server', async (template) => {
    const url = template.replace('PORT', String(untouched.port));
    const call = await httpTool(strict);
    const err = await toolError(call({ url }));
    expect(err.code, url).toBe('HTTP_PRIVATE_ADDRESS');
    expect(untouched.connections()).toBe(0);
  });

  it('a trailing-dot name never reaches a loopback server', async () => {
    const call = await httpTool(strict);
    const err = await toolError(call({ url: `http://LOCALHOST.:${untouched.port}/` }));
    // glibc does not resolve `localhost.` from /etc/hosts (HTTP_REQUEST_FAILED); a resolver that does gives loopback.
    expect(['HTTP_PRIVATE_ADDRESS', 'HTTP_REQUEST_FAILED']).toContain(err.code);
    expect(untouched.connections()).toBe(0);
  });

  it('a DNS name resolving to 127.0.0.1 is refused, naming the host and the address', async () => {
    const call = await httpTool(strict);
    const err = await toolError(call({ url: `http://localhost:${untouched.port}/` }));
    expect(err.code).toBe('HTTP_PRIVATE_ADDRESS');
    expect(err.data).toMatchObject({ host: 'localhost' });
    expect(String(err.data.address)).toMatch(/^(127\.|::1$)/);
    expect(untouched.connections()).toBe(0);
  });
});

describe('http_request: private addresses the operator allows', () => {
  it('localhost works with allow_private_networks = true', async () => {
    const call = await httpTool({ allow_private_networks: true });
    const out = await call({ url: `http://localhost:${server.port}/` });
    expect(out).toMatchObject({ status: 200, body: 'reached' });
  });

  it('an allowed_private_cidrs entry lets exactly that range through', async () => {
    const call = await httpTool({ ...strict, allowed_private_cidrs: ['127.0.0.1/32'] });
    expect((await call({ url: `http://127.0.0.1:${server.port}/` })).status).toBe(200);
    const err = await toolError(call({ url: `http://127.0.0.2:${server.port}/` }));
    expect(err.code).toBe('HTTP_PRIVATE_ADDRESS');
  });
});

describe('http_request: the checked address is the one connected to', () => {
  it('a DNS name is connected to at the address the resolver gave and the policy allowed', async () => {
    const resolve = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    const call = await httpTool({ allowed_private_cidrs: ['127.0.0.1/32'] }, { resolve });
    const out = await call({ url: `http://internal.service.test:${server.port}/` });
    expect(out.status).toBe(200);
    expect(server.requests.at(-1)!.headers.host).toBe(`internal.service.test:${server.port}`);
  });

  it('a DNS name with one public and one private address is refused', async () => {
    const resolve = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]);
    const call = await httpTool(strict, { resolve });
    const err = await toolError(call({ url: `http://mixed.test:${untouched.port}/` }));
    expect(err.code).toBe('HTTP_PRIVATE_ADDRESS');
    expect(err.data.address).toBe('127.0.0.1');
    expect(untouched.connections()).toBe(0);
  });
});
