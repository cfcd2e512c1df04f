// host.fetch in script tools: a real script-host child, real isolates, a local HTTP server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_FETCH_POLICY, type FetchPolicy } from '../../../src/core/config/fetch-policy.js';
import { ScriptExecutor } from '../../../src/core/sandbox/script.js';
import { listenLoopback, readBody, type Listening } from '../../helpers/loopback-server.js';
import { callOpts, recordingLogger, scriptSpec } from './script-helpers.js';

let exec: ScriptExecutor;
let server: Listening;
/** Paths the server was asked for, in order. */
let seen: string[] = [];
/** Resolves when a request to /hang has its connection closed by the client. */
let hangClosed: Promise<void> = Promise.resolve();
let onHangClosed = (): void => {};

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push(url.pathname);
  if (url.pathname === '/hello') {
    res.setHeader('x-test', 'yes');
    return void res.end('hi');
  }
  if (url.pathname === '/echo') {
    const body = await readBody(req);
    res.setHeader('content-type', 'application/json');
    return void res.end(JSON.stringify({ method: req.method, auth: req.headers['x-token'], body }));
  }
  if (url.pathname === '/slow') {
    return void setTimeout(() => res.end('late'), Number(url.searchParams.get('ms')));
  }
  if (url.pathname === '/big') return void res.end('x'.repeat(64 * 1024));
  if (url.pathname === '/to-metadata') {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
    return void res.end();
  }
  if (url.pathname === '/hang') return void req.socket.on('close', () => onHangClosed());
  res.statusCode = 404;
  res.end('no');
}

const loopbackOk: FetchPolicy = { ...DEFAULT_FETCH_POLICY, allowed_private_cidrs: ['127.0.0.1/32'] };

function fetchSpec(policy: FetchPolicy | undefined, timeoutMs = 500) {
  const spec = scriptSpec('fetch', { timeoutMs }, { fetch: true, log: true });
  return policy ? { ...spec, fetch: policy } : spec;
}

beforeAll(async () => {
  exec = new ScriptExecutor();
  server = await listenLoopback(createServer((req, res) => void handle(req, res)));
});
afterAll(async () => {
  await exec.close();
  await server.close();
});
beforeEach(() => {
  seen = [];
  hangClosed = new Promise((resolve) => (onHangClosed = resolve));
});

describe('host.fetch: declared or absent', () => {
  it('exists only when declared', async () => {
    const without = await exec.run(scriptSpec('fetch', {}, { log: true }), { mode: 'keys' }, callOpts());
    expect(without).toMatchObject({ ok: true, value: ['log'] });
    const withFetch = await exec.run(fetchSpec(undefined), { mode: 'keys' }, callOpts());
    expect(withFetch).toMatchObject({ ok: true, value: ['fetch', 'log'] });
  });
});

describe('host.fetch: the URL policy of http_request', () => {
  it('by default refuses loopback, localhost and the metadata address before connecting', async () => {
    for (const url of [
      `${server.url}/hello`,
      `http://localhost:${server.port}/hello`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      const r = await exec.run(fetchSpec(undefined), { url }, callOpts());
      expect(r, url).toMatchObject({
        ok: true,
        value: { error: { code: 'HTTP_PRIVATE_ADDRESS', isError: true } },
      });
    }
    expect(seen).toEqual([]);
  });

  it('reaches an allowed range and returns a copy of the response', async () => {
    const r = await exec.run(fetchSpec(loopbackOk), { url: `${server.url}/hello` }, callOpts());
    expect(r).toMatchObject({
      ok: true,
      value: {
        url: `${server.url}/hello`,
        status: 200,
        body: 'hi',
        body_encoding: 'utf8',
        truncated: false,
        redirects: 0,
        headers: { 'x-test': 'yes' },
      },
    });
  });

  it('sends method, headers and body', async () => {
    const init = { method: 'post', headers: { 'X-Token': 't1' }, body: 'payload' };
    const r = await exec.run(fetchSpec(loopbackOk), { url: `${server.url}/echo`, init }, callOpts());
    expect(r.ok).toBe(true);
    expect(JSON.parse((r.value as { body: string }).body)).toEqual({
      method: 'POST',
      auth: 't1',
      body: 'payload',
    });
  });

  it('checks every redirect: an allowed server cannot bounce the script to the metadata address', async () => {
    const r = await exec.run(fetchSpec(loopbackOk), { url: `${server.url}/to-metadata` }, callOpts());
    expect(r).toMatchObject({ ok: true, value: { error: { code: 'HTTP_PRIVATE_ADDRESS' } } });
  });

  it('allowed_hosts and denied_hosts apply', async () => {
    const onlyExample = { ...loopbackOk, allowed_hosts: ['*.example.com'] };
    const r = await exec.run(fetchSpec(onlyExample), { url: `${server.url}/hello` }, callOpts());
    expect(r).toMatchObject({ ok: true, value: { error: { code: 'HTTP_HOST_DENIED' } } });
    const denied = { ...loopbackOk, denied_hosts: ['127.0.0.1'] };
    const r2 = await exec.run(fetchSpec(denied), { url: `${server.url}/hello` }, callOpts());
    expect(r2).toMatchObject({ ok: true, value: { error: { code: 'HTTP_HOST_DENIED' } } });
    expect(seen).toEqual([]);
  });

  it('reads at most max_response_size bytes', async () => {
    const small = { ...loopbackOk, max_response_size: 1000 };
    const r = await exec.run(fetchSpec(small), { url: `${server.url}/big` }, callOpts());
    expect(r).toMatchObject({ ok: true, value: { status: 200, truncated: true } });
    expect((r.value as { body: string }).body).toHaveLength(1000);
  });

  it('times a request out after timeout_seconds with HTTP_TIMEOUT', async () => {
    const quick = { ...loopbackOk, timeout_seconds: 0.3 };
    const r = await exec.run(fetchSpec(quick), { url: `${server.url}/hang` }, callOpts());
    expect(r).toMatchObject({ ok: true, value: { error: { code: 'HTTP_TIMEOUT' } } });
  });
});

describe('host.fetch: limits of one call', () => {
  it('allows at most max_requests requests per call (FETCH_LIMIT)', async () => {
    const three = { ...loopbackOk, max_requests: 3 };
    const ok = await exec.run(
      fetchSpec(three),
      { mode: 'many', count: 3, url: `${server.url}/hello` },
      callOpts(),
    );
    expect(ok).toMatchObject({ ok: true, value: [200, 200, 200] });
    const over = await exec.run(
      fetchSpec(three),
      { mode: 'many', count: 4, url: `${server.url}/hello` },
      callOpts(),
    );
    expect(over).toMatchObject({ ok: false, error: { code: 'AGENT_ERR_SCRIPT_FAILED' } });
    expect(over.error?.data).toMatchObject({ reason: expect.stringContaining('[FETCH_LIMIT]') as string });
  });

  it('an uncaught refusal fails the call with the fetch code in the reason', async () => {
    const r = await exec.run(fetchSpec(undefined), { mode: 'throw', url: `${server.url}/hello` }, callOpts());
    expect(r).toMatchObject({ ok: false, error: { code: 'AGENT_ERR_SCRIPT_FAILED' } });
    expect(r.error?.data).toMatchObject({
      reason: expect.stringMatching(/^\[HTTP_PRIVATE_ADDRESS\] /) as string,
    });
  });

  it('time spent waiting on the network does not count against the CPU timeout', async () => {
    const r = await exec.run(fetchSpec(loopbackOk, 300), { url: `${server.url}/slow?ms=1200` }, callOpts());
    expect(r).toMatchObject({ ok: true, value: { status: 200, body: 'late' } });
  });

  it('a loop after a fetch still hits the timeout, and the next call works', async () => {
    const r = await exec.run(
      fetchSpec(loopbackOk, 300),
      { mode: 'spin-after', url: `${server.url}/hello` },
      callOpts(),
    );
    expect(r).toMatchObject({ ok: false, timedOut: true, error: { code: 'AGENT_ERR_TOOL_TIMEOUT' } });
    const next = await exec.run(fetchSpec(loopbackOk), { url: `${server.url}/hello` }, callOpts());
    expect(next).toMatchObject({ ok: true, value: { status: 200 } });
  });

  it('a request left running when the call returns is aborted', async () => {
    const r = await exec.run(
      fetchSpec(loopbackOk),
      { mode: 'forget', url: `${server.url}/hang`, then: `${server.url}/hello` },
      callOpts(),
    );
    expect(r).toMatchObject({ ok: true, value: 'returned' });
    expect(seen).toContain('/hang');
    await hangClosed; // the connection was closed by the host, not left hanging (the test times out otherwise)
  });

  it('refuses options it does not know and non-string headers (FETCH_INVALID_REQUEST)', async () => {
    for (const init of [{ redirect: 'manual' }, { headers: { a: 1 } }, { body: { json: true } }, 'GET']) {
      const r = await exec.run(fetchSpec(loopbackOk), { url: `${server.url}/hello`, init }, callOpts());
      expect(r, JSON.stringify(init)).toMatchObject({
        ok: true,
        value: { error: { code: 'FETCH_INVALID_REQUEST' } },
      });
    }
    expect(seen).toEqual([]);
  });

  it('logs each request (method, host, outcome; never the path or query) to the call logger', async () => {
    const log = recordingLogger();
    await exec.run(fetchSpec(loopbackOk), { url: `${server.url}/hello?token=secret` }, callOpts(log));
    const line = log.entries.find((e) => e.msg?.startsWith('host.fetch'));
    expect(line).toMatchObject({
      level: 'debug',
      msg: expect.stringMatching(/^host\.fetch GET 127\.0\.0\.1:\d+ → 200 \(\d+ ms\)$/) as string,
    });
    expect(JSON.stringify(log.entries)).not.toContain('secret');
  });
});
