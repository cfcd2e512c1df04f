import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

import { describe, expect, it } from 'vitest';

import { exposed, initTool, KEY, search, toolError, useFakeSearchServer } from './harness.js';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('web_search failures', () => {
  const fake = useFakeSearchServer();
  const serper = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    endpoint: `${fake.server.url}/search`,
    ...extra,
  });
  const failure = async (config: Record<string, unknown> = serper(), signal?: AbortSignal) => {
    const tool = await initTool(config);
    const err = await toolError(search(tool, { query: 'x', num_results: 3 }, signal));
    expect(exposed(err)).not.toContain(KEY);
    return err;
  };

  it.each([401, 403, 404, 500, 503])(
    'reports HTTP %i as SEARCH_BACKEND_FAILED with the status',
    async (status) => {
      fake.server.answer({ status, body: { message: 'nope', statusCode: status } });
      const err = await failure();
      expect(err.code).toBe('SEARCH_BACKEND_FAILED');
      expect(err.data).toMatchObject({ backend: 'serper', host: new URL(fake.server.url).host, status });
    },
  );

  it('reports rate limiting (429) with Retry-After', async () => {
    fake.server.answer({ status: 429, headers: { 'retry-after': '30' }, body: { message: 'slow down' } });
    const err = await failure();
    expect(err.code).toBe('SEARCH_BACKEND_FAILED');
    expect(err.data).toMatchObject({ status: 429, retry_after: '30' });
  });

  it('quotes at most 200 characters of an error body', async () => {
    fake.server.answer({ status: 500, raw: 'e'.repeat(10_000) });
    const err = await failure();
    expect(String(err.data.body).length).toBeLessThanOrEqual(201);
    expect(err.message.length).toBeLessThan(400);
  });

  it('reports a body that is not JSON as SEARCH_BAD_RESPONSE', async () => {
    fake.server.answer({ raw: '{"organic": [', headers: { 'content-type': 'application/json' } });
    expect((await failure()).code).toBe('SEARCH_BAD_RESPONSE');
  });

  it('reports an HTML page as SEARCH_BAD_RESPONSE', async () => {
    fake.server.answer({ raw: '<html>search UI</html>', headers: { 'content-type': 'text/html' } });
    const err = await failure();
    expect(err.code).toBe('SEARCH_BAD_RESPONSE');
    expect(err.data).toMatchObject({ content_type: 'text/html' });
  });

  it.each([
    ['a JSON array', []],
    ['a string', 'results'],
    ['organic that is not a list', { organic: { link: 'https://x.example/' } }],
  ])('reports %s as SEARCH_BAD_RESPONSE', async (_name, body) => {
    fake.server.answer({ body });
    expect((await failure()).code).toBe('SEARCH_BAD_RESPONSE');
  });

  it('stops reading a response larger than 5 MiB and reports SEARCH_BAD_RESPONSE', async () => {
    let written = 0;
    fake.server.answer({
      respond: (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (written < 64 * 1024 * 1024 && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => undefined);
        pump();
      },
    });
    const err = await failure();
    expect(err.code).toBe('SEARCH_BAD_RESPONSE');
    expect(err.data).toMatchObject({ limit_bytes: 5 * 1024 * 1024 });
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a response whose Content-Length is over 5 MiB without reading it', async () => {
    fake.server.answer({
      respond: (res) => {
        res.on('error', () => undefined);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(6 * 1024 * 1024) });
        res.write('{"organic": [');
      },
    });
    expect((await failure()).code).toBe('SEARCH_BAD_RESPONSE');
  });

  it('reports a server slower than timeout_seconds as SEARCH_TIMEOUT', async () => {
    fake.server.answer({ delayMs: 10_000, body: { organic: [] } });
    const err = await failure(serper({ timeout_seconds: 0.3 }));
    expect(err.code).toBe('SEARCH_TIMEOUT');
    expect(err.data).toMatchObject({ timeout_seconds: 0.3 });
  });

  it('times out a body that stalls after the headers', async () => {
    fake.server.answer({
      respond: (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"organic": [');
      },
    });
    expect((await failure(serper({ timeout_seconds: 0.3 }))).code).toBe('SEARCH_TIMEOUT');
  });

  it('aborts the request when the call signal fires (SEARCH_ABORTED)', async () => {
    fake.server.answer({ delayMs: 10_000, body: { organic: [] } });
    const controller = new AbortController();
    const arrived = fake.server.nextRequest();
    const tool = await initTool(serper({ timeout_seconds: 60 }));
    const pending = toolError(search(tool, { query: 'x', num_results: 3 }, controller.signal));
    await arrived;
    controller.abort(new Error('task timeout'));
    expect((await pending).code).toBe('SEARCH_ABORTED');
  });

  it('sends nothing when the call signal has already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await failure(serper(), controller.signal)).code).toBe('SEARCH_ABORTED');
    expect(fake.server.requests).toHaveLength(0);
  });

  it('reports a refused connection as SEARCH_BACKEND_FAILED', async () => {
    const port = await closedPort();
    const err = await failure({ endpoint: `http://127.0.0.1:${port}/search` });
    expect(err.code).toBe('SEARCH_BACKEND_FAILED');
    expect(err.data).toMatchObject({ backend: 'serper', host: `127.0.0.1:${port}`, cause: 'ECONNREFUSED' });
  });

  it('never puts the endpoint query (which may hold a token) into an error', async () => {
    fake.server.answer({ status: 500, body: {} });
    const err = await failure({
      backend: 'searxng',
      endpoint: `${fake.server.url}/search?token=url-token-123`,
    });
    expect(exposed(err)).not.toContain('url-token-123');
  });
});
