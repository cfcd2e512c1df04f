// The whole call has one deadline (the lower of the two timeout_seconds); ctx.signal aborts it.
import { afterEach, describe, expect, it } from 'vitest';

import { httpTool, startServer, toolError, type Handler, type LocalServer } from './harness.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server that calls `handler` and tells the test when the request has arrived. */
async function serve(handler: Handler): Promise<LocalServer & { arrived: Promise<void> }> {
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const server = await startServer((req, res, body) => {
    arrive();
    handler(req, res, body);
  });
  servers.push(server);
  return Object.assign(server, { arrived });
}

const neverAnswers: Handler = () => undefined;
const stallsTheBody: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.write('first bytes, then nothing');
};

async function elapsed<T>(p: Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await p;
  return [value, performance.now() - start];
}

describe('http_request: timeouts', () => {
  it.each([
    ['never answers', neverAnswers],
    ['sends headers, then stalls the body', stallsTheBody],
  ])('a server that %s → HTTP_TIMEOUT after the parameter timeout', async (_what, handler) => {
    const server = await serve(handler);
    const call = await httpTool({ allow_private_networks: true, timeout_seconds: 30 });
    const [err, ms] = await elapsed(toolError(call({ url: server.url, timeout_seconds: 0.3 })));
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(err.data).toEqual({ timeout_seconds: 0.3 }); // the parameter's, not the config's 30 s
  });

  it('the config timeout caps a larger parameter timeout', async () => {
    const server = await serve(neverAnswers);
    const call = await httpTool({ allow_private_networks: true, timeout_seconds: 0.3 });
    const err = await toolError(call({ url: server.url, timeout_seconds: 60 }));
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.data).toEqual({ timeout_seconds: 0.3 });
  });

  it('the timeout covers the whole redirect chain', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/stall') return;
      res.writeHead(302, { location: '/stall' });
      res.end();
    });
    const call = await httpTool({ allow_private_networks: true });
    const err = await toolError(call({ url: server.url, timeout_seconds: 0.3 }));
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.data).toEqual({ timeout_seconds: 0.3 }); // the parameter's, not the default
  });
});

describe('http_request: aborts', () => {
  it('aborting ctx.signal while waiting for the answer → HTTP_ABORTED at once', async () => {
    const server = await serve(neverAnswers);
    const call = await httpTool({ allow_private_networks: true, timeout_seconds: 30 });
    const controller = new AbortController();
    const pending = toolError(call({ url: server.url }, controller.signal));
    await server.arrived;
    controller.abort();
    // Not "at once" would mean the 30 s timeout: HTTP_TIMEOUT, or the test's own timeout.
    expect((await pending).code).toBe('HTTP_ABORTED');
  });

  it('aborting ctx.signal while the body streams → HTTP_ABORTED', async () => {
    const server = await serve(stallsTheBody);
    const call = await httpTool({ allow_private_networks: true, timeout_seconds: 30 });
    const controller = new AbortController();
    const pending = toolError(call({ url: server.url }, controller.signal));
    await server.arrived;
    controller.abort();
    expect((await pending).code).toBe('HTTP_ABORTED');
  });

  it('an already aborted signal → HTTP_ABORTED without connecting', async () => {
    const server = await serve(neverAnswers);
    const call = await httpTool({ allow_private_networks: true });
    const err = await toolError(call({ url: server.url }, AbortSignal.abort()));
    expect(err.code).toBe('HTTP_ABORTED');
    expect(server.connections()).toBe(0);
  });
});
