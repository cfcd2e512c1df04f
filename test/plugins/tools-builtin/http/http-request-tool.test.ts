// http_request against real local servers: results, methods, headers, body encodings and request failures.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';

import { createHttpRequestTool } from '../../../../src/plugins/tools-builtin/http/http-request-tool.js';
import { answer, httpTool, startServer, toolError, type LocalServer } from './harness.js';

const servers: LocalServer[] = [];
async function serve(...args: Parameters<typeof startServer>): Promise<LocalServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const privateOk = { allow_private_networks: true };

describe('http_request: results', () => {
  it('GET returns status, status text, lower-case headers and the text body', async () => {
    const server = await serve(answer(200, 'hello world', { 'X-Custom': 'yes' }));
    const call = await httpTool(privateOk);
    const out = await call({ url: `${server.url}/path?q=1` });
    expect(out).toMatchObject({
      url: `${server.url}/path?q=1`,
      status: 200,
      status_text: 'OK',
      body: 'hello world',
      body_encoding: 'utf8',
      truncated: false,
      redirects: 0,
    });
    expect(out.headers['x-custom']).toBe('yes');
    expect(out.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/path?q=1' });
  });

  it('POST delivers the body and the caller headers to the server', async () => {
    const server = await serve(answer(201, 'created'));
    const call = await httpTool(privateOk);
    const body = JSON.stringify({ name: 'héllo' });
    const out = await call({
      method: 'POST',
      url: server.url,
      headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc' },
      body,
    });
    expect(out.status).toBe(201);
    const seen = server.requests[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.body).toBe(body);
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['x-trace']).toBe('abc');
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('%s reaches the server with its method', async (method) => {
    const server = await serve(answer(204));
    const call = await httpTool(privateOk);
    const out = await call({ method, url: server.url, body: 'x' });
    expect(out).toMatchObject({ status: 204, body: '' });
    expect(server.requests[0]).toMatchObject({ method, body: 'x' });
  });

  it.each([
    [404, 'Not Found'],
    [500, 'Internal Server Error'],
  ])('a %i answer is a result, not an error', async (status, text) => {
    const server = await serve(answer(status, 'oops'));
    const call = await httpTool(privateOk);
    expect(await call({ url: server.url })).toMatchObject({ status, status_text: text, body: 'oops' });
  });

  it('HEAD returns the headers and an empty body', async () => {
    const server = await serve(answer(200, 'not sent for HEAD', { 'x-size': '17' }));
    const call = await httpTool(privateOk);
    const out = await call({ method: 'HEAD', url: server.url });
    expect(out).toMatchObject({ status: 200, body: '', body_encoding: 'utf8', truncated: false });
    expect(out.headers['x-size']).toBe('17');
    expect(server.requests[0]!.method).toBe('HEAD');
  });

  it('a missing method means GET', async () => {
    const server = await serve(answer(200));
    const call = await httpTool(privateOk);
    await call({ url: server.url, method: undefined });
    expect(server.requests[0]!.method).toBe('GET');
  });

  it('repeated response headers are joined; Set-Cookie lines with a newline', async () => {
    const server = await serve((_req, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-multi', ['one', 'two']);
      res.end();
    });
    const call = await httpTool(privateOk);
    const out = await call({ url: server.url });
    expect(out.headers['set-cookie']).toBe('a=1\nb=2');
    expect(out.headers['x-multi']).toBe('one, two');
  });
});

describe('http_request: request headers', () => {
  it('sends a default User-Agent and asks for identity encoding', async () => {
    const server = await serve(answer(200));
    const call = await httpTool(privateOk);
    await call({ url: server.url });
    const headers = server.requests[0]!.headers;
    expect(headers['user-agent']).toBe('agent2389-http_request');
    expect(headers['accept-encoding']).toBe('identity');
  });

  it('the caller may set User-Agent but not Host, Content-Length, Connection or Accept-Encoding', async () => {
    const server = await serve(answer(200));
    const call = await httpTool(privateOk);
    await call({
      method: 'POST',
      url: server.url,
      body: 'abc',
      headers: {
        'user-agent': 'mine/1',
        Host: 'evil.example',
        'Content-Length': '999',
        Connection: 'upgrade',
        'Accept-Encoding': 'gzip',
      },
    });
    const headers = server.requests[0]!.headers;
    expect(headers['user-agent']).toBe('mine/1');
    expect(headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(headers['content-length']).toBe('3');
    expect(headers.connection).not.toBe('upgrade');
    expect(headers['accept-encoding']).toBe('identity');
    expect(server.requests[0]!.body).toBe('abc');
  });

  it('a header value with a line break is refused before connecting', async () => {
    const server = await serve(answer(200));
    const call = await httpTool(privateOk);
    const err = await toolError(call({ url: server.url, headers: { 'x-a': 'v\r\nInjected: 1' } }));
    expect(err.code).toBe('HTTP_REQUEST_FAILED');
    expect(server.connections()).toBe(0);
  });
});

describe('http_request: body encoding', () => {
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

  it('a binary content type comes back as base64', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
    });
    const call = await httpTool(privateOk);
    const out = await call({ url: server.url });
    expect(out.body_encoding).toBe('base64');
    expect(Buffer.from(out.body, 'base64').equals(bytes)).toBe(true);
  });

  it('an untyped body that is not valid UTF-8 comes back as base64', async () => {
    const server = await serve((_req, res) => res.end(bytes));
    const call = await httpTool(privateOk);
    const out = await call({ url: server.url });
    expect(out.body_encoding).toBe('base64');
    expect(Buffer.from(out.body, 'base64').equals(bytes)).toBe(true);
  });

  it.each([
    ['application/json', '{"a":"é"}'],
    ['application/vnd.api+json', '{"a":1}'],
    ['image/svg+xml', '<svg/>'],
    ['application/javascript', 'let a = 1;'],
    ['application/x-www-form-urlencoded', 'a=1&b=2'],
    [undefined, 'untyped but valid UTF-8: ✓'],
  ])('%s comes back as text', async (type, text) => {
    const server = await serve((_req, res) => {
      if (type) res.setHeader('content-type', type);
      res.end(text);
    });
    const call = await httpTool(privateOk);
    expect(await call({ url: server.url })).toMatchObject({ body: text, body_encoding: 'utf8' });
  });

  it('text in a declared charset is decoded', async () => {
    const server = await serve((_req, res) => {
      res.setHeader('content-type', 'text/plain; charset=iso-8859-1');
      res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1
    });
    const call = await httpTool(privateOk);
    expect((await call({ url: server.url })).body).toBe('café');
  });
});

describe('http_request: invalid requests and failures', () => {
  it.each(['not a url', '/relative/path', 'example.com/x', 'http://'])(
    '%s is HTTP_URL_INVALID',
    async (url) => {
      const call = await httpTool();
      expect((await toolError(call({ url }))).code).toBe('HTTP_URL_INVALID');
    },
  );

  it.each(['file:///etc/passwd', 'ftp://example.com/', 'gopher://example.com/', 'javascript:alert(1)'])(
    '%s is HTTP_SCHEME_NOT_ALLOWED',
    async (url) => {
      const call = await httpTool(privateOk);
      expect((await toolError(call({ url }))).code).toBe('HTTP_SCHEME_NOT_ALLOWED');
    },
  );

  it('a refused connection is HTTP_REQUEST_FAILED', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const call = await httpTool(privateOk);
    const err = await toolError(call({ url: `http://127.0.0.1:${port}/` }));
    expect(err.code).toBe('HTTP_REQUEST_FAILED');
    expect(err.data.reason).toMatch(/ECONNREFUSED/);
  });

  it('a DNS failure is HTTP_REQUEST_FAILED', async () => {
    const resolve = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    const call = await httpTool({}, { resolve });
    const err = await toolError(call({ url: 'http://no-such-host.test/' }));
    expect(err.code).toBe('HTTP_REQUEST_FAILED');
    expect(err.data.reason).toBe('ENOTFOUND');
  });

  it('a connection closed in the middle of the body is HTTP_REQUEST_FAILED', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part of it');
      setImmediate(() => res.socket?.destroy());
    });
    const call = await httpTool(privateOk);
    expect((await toolError(call({ url: server.url }))).code).toBe('HTTP_REQUEST_FAILED');
  });
});

describe('http_request: description', () => {
  it('describes itself with the plugin.json schema', () => {
    const d = createHttpRequestTool().describe();
    expect(d.name).toBe('http_request');
    const validate = new Ajv({ strict: false, useDefaults: true }).compile(d.parameters);
    const input: Record<string, unknown> = { url: 'https://example.com/' };
    expect(validate(input)).toBe(true);
    expect(input.method).toBe('GET');
    expect(validate({ url: 'https://example.com/', method: 'TRACE' })).toBe(false);
  });
});
