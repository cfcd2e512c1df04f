// http_request follows redirects manually and runs every check again on each hop.
import { afterEach, describe, expect, it } from 'vitest';

import { answer, httpTool, startServer, toolError, type Handler, type LocalServer } from './harness.js';

const servers: LocalServer[] = [];
async function serve(handler: Handler, host?: string): Promise<LocalServer> {
  const server = await startServer(handler, host);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function redirectTo(location: string, status = 302): Handler {
  return (_req, res) => {
    res.writeHead(status, { location });
    res.end('redirect body is never read');
  };
}

/** Only the server on 127.0.0.1 is allowed; every other private address must stay refused. */
const onlyFirstHop = { allowed_private_cidrs: ['127.0.0.1/32'], timeout_seconds: 5 };

describe('http_request: redirects to refused targets', () => {
  it('a redirect to another loopback address is refused and that server sees nothing', async () => {
    const second = await serve(answer(200, 'secret'), '127.0.0.2');
    const first = await serve(redirectTo(`${second.url}/admin`));
    const call = await httpTool(onlyFirstHop);
    const err = await toolError(call({ url: first.url }));
    expect(err.code).toBe('HTTP_PRIVATE_ADDRESS');
    expect(first.requests).toHaveLength(1);
    expect(second.connections()).toBe(0);
  });

  it('a redirect to the cloud metadata address is refused', async () => {
    const first = await serve(redirectTo('http://169.254.169.254/latest/meta-data/'));
    const call = await httpTool(onlyFirstHop);
    expect((await toolError(call({ url: first.url }))).code).toBe('HTTP_PRIVATE_ADDRESS');
  });

  it('a redirect to a DNS name resolving to loopback is refused', async () => {
    const second = await serve(answer(200, 'secret'), '127.0.0.2');
    const resolve = () => Promise.resolve([{ address: '127.0.0.2', family: 4 }]);
    const first = await serve(redirectTo(`http://rebind.test:${second.port}/`));
    const call = await httpTool(onlyFirstHop, { resolve });
    expect((await toolError(call({ url: first.url }))).code).toBe('HTTP_PRIVATE_ADDRESS');
    expect(second.connections()).toBe(0);
  });

  it('a redirect to file: is HTTP_SCHEME_NOT_ALLOWED', async () => {
    const first = await serve(redirectTo('file:///etc/passwd'));
    const call = await httpTool(onlyFirstHop);
    expect((await toolError(call({ url: first.url }))).code).toBe('HTTP_SCHEME_NOT_ALLOWED');
  });

  it('a redirect to a denied host is HTTP_HOST_DENIED', async () => {
    const first = await serve(redirectTo('http://blocked.example/'));
    const call = await httpTool({ ...onlyFirstHop, denied_hosts: ['*.example'] });
    expect((await toolError(call({ url: first.url }))).code).toBe('HTTP_HOST_DENIED');
  });
});

describe('http_request: redirect limits and resolution', () => {
  it('a chain longer than max_redirects is HTTP_TOO_MANY_REDIRECTS after max_redirects + 1 requests', async () => {
    const loop = await serve((req, res) => {
      const n = Number(req.url?.slice(1)) || 0;
      res.writeHead(302, { location: `/${n + 1}` });
      res.end();
    });
    const call = await httpTool({ ...onlyFirstHop, max_redirects: 3 });
    const err = await toolError(call({ url: `${loop.url}/0` }));
    expect(err.code).toBe('HTTP_TOO_MANY_REDIRECTS');
    expect(loop.requests.map((r) => r.url)).toEqual(['/0', '/1', '/2', '/3']);
  });

  it('max_redirects = 0 refuses the first redirect', async () => {
    const first = await serve(redirectTo('/next'));
    const call = await httpTool({ ...onlyFirstHop, max_redirects: 0 });
    expect((await toolError(call({ url: first.url }))).code).toBe('HTTP_TOO_MANY_REDIRECTS');
  });

  it('a relative Location resolves against the current URL; the result has the final URL and count', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/a/start') return redirectTo('next?x=1', 301)(req, res, '');
      if (req.url === '/a/next?x=1') return redirectTo('/final', 308)(req, res, '');
      return answer(200, `at ${req.url}`)(req, res, '');
    });
    const call = await httpTool(onlyFirstHop);
    const out = await call({ url: `${server.url}/a/start` });
    expect(out).toMatchObject({ status: 200, body: 'at /final', url: `${server.url}/final`, redirects: 2 });
  });

  it('a 3xx without Location, or a 300/304, is returned as a result', async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.url === '/none' ? 302 : 300);
      res.end();
    });
    const call = await httpTool(onlyFirstHop);
    expect((await call({ url: `${server.url}/none` })).status).toBe(302);
    expect((await call({ url: `${server.url}/choices` })).status).toBe(300);
  });
});

describe('http_request: redirects and the request method, body and headers', () => {
  async function chain(status: number): Promise<LocalServer> {
    return serve((req, res) => {
      if (req.url === '/from') return redirectTo('/to', status)(req, res, '');
      return answer(200, 'done')(req, res, '');
    });
  }

  it('303 turns a POST into a GET without body or Content-Type', async () => {
    const server = await chain(303);
    const call = await httpTool(onlyFirstHop);
    await call({
      method: 'POST',
      url: `${server.url}/from`,
      body: 'payload',
      headers: { 'content-type': 'text/plain' },
    });
    const to = server.requests[1]!;
    expect(to).toMatchObject({ method: 'GET', url: '/to', body: '' });
    expect(to.headers['content-type']).toBeUndefined();
    expect(to.headers['content-length']).toBeUndefined();
  });

  it('301 and 302 turn a POST into a GET', async () => {
    for (const status of [301, 302]) {
      const server = await chain(status);
      const call = await httpTool(onlyFirstHop);
      await call({ method: 'POST', url: `${server.url}/from`, body: 'payload' });
      expect(server.requests[1]).toMatchObject({ method: 'GET', body: '' });
    }
  });

  it.each([307, 308])('%i keeps the method and the body', async (status) => {
    const server = await chain(status);
    const call = await httpTool(onlyFirstHop);
    await call({
      method: 'POST',
      url: `${server.url}/from`,
      body: 'payload',
      headers: { 'content-type': 'text/plain' },
    });
    expect(server.requests[1]).toMatchObject({ method: 'POST', url: '/to', body: 'payload' });
    expect(server.requests[1]!.headers['content-type']).toBe('text/plain');
  });

  it('a cross-origin redirect drops Authorization, Cookie and Proxy-Authorization, keeping other headers', async () => {
    const other = await serve(answer(200, 'other origin'));
    const first = await serve(redirectTo(`${other.url}/landing`, 307));
    const call = await httpTool(onlyFirstHop);
    const headers = {
      Authorization: 'Bearer t',
      Cookie: 's=1',
      'Proxy-Authorization': 'Basic x',
      'X-Keep': 'k',
    };
    const out = await call({ url: first.url, headers });
    expect(out.body).toBe('other origin');
    expect(first.requests[0]!.headers.authorization).toBe('Bearer t');
    const seen = other.requests[0]!.headers;
    expect(seen.authorization).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen['x-keep']).toBe('k');
  });

  it('a same-origin redirect keeps Authorization', async () => {
    const server = await chain(302);
    const call = await httpTool(onlyFirstHop);
    await call({ url: `${server.url}/from`, headers: { Authorization: 'Bearer t' } });
    expect(server.requests[1]!.headers.authorization).toBe('Bearer t');
  });
});
