// The MCP HTTP client's fetch: the address policy before connecting, redirects returned unfollowed, headers
// and body sent, a streamed body delivered as it arrives and torn down by an abort.
import { createServer, type ServerResponse } from 'node:http';

import { parseHttpConfig } from '@agent2389/tool-sdk/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { policyFetch } from '../../../src/core/mcp/policy-fetch.js';
import { listenLoopback, readBody, type Listening } from '../../helpers/loopback-server.js';

let srv: Listening;
const seen: { method?: string; headers?: Record<string, unknown>; body?: string }[] = [];
let streaming: ServerResponse | undefined;
const streamClosed: Promise<void>[] = [];

beforeAll(async () => {
  srv = await listenLoopback(
    createServer((req, res) => {
      void readBody(req).then((body) => {
        seen.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/redirect') {
          res.writeHead(302, { location: '/elsewhere' }).end();
        } else if (req.url === '/huge-json') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`"${'x'.repeat(5000)}"`);
        } else if (req.url === '/huge-event') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (let i = 0; i < 50; i++) res.write(`data: ${'y'.repeat(100)}\n`); // one event, never ended
        } else if (req.url === '/many-events') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (let i = 0; i < 50; i++) res.write(`data: ${'z'.repeat(100)}\n\n`);
          res.end();
        } else if (req.url === '/stream') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: first\n\n');
          streaming = res;
          streamClosed.push(new Promise((resolve) => res.on('close', resolve)));
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
          res.end('{"ok":true}');
        }
      });
    }),
  );
});
afterAll(() => srv.close());

const allowAll = policyFetch(parseHttpConfig({ allow_private_networks: true }));

describe('policyFetch', () => {
  it('refuses loopback unless allowed, before connecting', async () => {
    const before = seen.length;
    const strict = policyFetch(parseHttpConfig({}));
    await expect(strict(`${srv.url}/`)).rejects.toMatchObject({ code: 'HTTP_PRIVATE_ADDRESS' });
    await expect(strict(`http://localhost:${srv.port}/`)).rejects.toMatchObject({
      code: 'HTTP_PRIVATE_ADDRESS',
    });
    await expect(strict(`file:///etc/passwd`)).rejects.toMatchObject({ code: 'HTTP_SCHEME_NOT_ALLOWED' });
    expect(seen.length).toBe(before);
  });

  it('sends method, headers and body; returns status, headers and body', async () => {
    const res = await allowAll(`${srv.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      body: '{"jsonrpc":"2.0"}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"jsonrpc":"2.0"}',
      headers: { authorization: 'Bearer x', 'content-length': '17' },
    });
  });

  it('returns a redirect as it is, never following it', async () => {
    const before = seen.length;
    const res = await allowAll(`${srv.url}/redirect`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/elsewhere');
    expect(seen.length).toBe(before + 1);
  });

  it('cuts a JSON body over the cap with AGENT_ERR_MCP_MESSAGE_TOO_LARGE', async () => {
    const capped = policyFetch(parseHttpConfig({ allow_private_networks: true }), 1000);
    const res = await capped(`${srv.url}/huge-json`);
    await expect(res.text()).rejects.toMatchObject({ code: 'AGENT_ERR_MCP_MESSAGE_TOO_LARGE' });
  });

  it('cuts one SSE event over the cap, but not a stream of small events longer than it', async () => {
    const capped = policyFetch(parseHttpConfig({ allow_private_networks: true }), 1000);
    const huge = await capped(`${srv.url}/huge-event`);
    await expect(huge.text()).rejects.toMatchObject({ code: 'AGENT_ERR_MCP_MESSAGE_TOO_LARGE' });
    const many = await capped(`${srv.url}/many-events`);
    expect((await many.text()).length).toBe(50 * 108);
  });

  it('streams a body as it arrives; aborting tears the stream down', async () => {
    const ac = new AbortController();
    const res = await allowAll(`${srv.url}/stream`, { signal: ac.signal });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value).toString()).toBe('data: first\n\n');
    streaming!.write('data: second\n\n');
    expect(Buffer.from((await reader.read()).value).toString()).toBe('data: second\n\n');
    ac.abort();
    await expect(reader.read()).rejects.toBeDefined();
    await streamClosed.at(-1);
  });
});
