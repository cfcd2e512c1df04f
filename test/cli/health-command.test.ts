// `agent2389 health` in this process against a real local HTTP server: exit 0 on 2xx, 1 otherwise or unreachable.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freePort } from '../helpers/free-port.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

let server: Server;
let port: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const ready = req.url === '/ready' || req.url === '/live';
    res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(ready ? 'ok\n' : 'not ready\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = String((server.address() as AddressInfo).port);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('agent2389 health (in process)', () => {
  it('prints the status and body of /ready and exits 0 when it is 2xx', async () => {
    const r = await runCliInProcess(['health', '--port', port]);
    expect(r).toEqual({ code: 0, stdout: '200 ok\n', stderr: '' });
  });

  it('exits 1 when the endpoint answers otherwise (--endpoint, --url)', async () => {
    const r = await runCliInProcess(['health', '--port', port, '--endpoint', 'health']);
    expect(r).toEqual({ code: 1, stdout: '503 not ready\n', stderr: '' });
    const url = await runCliInProcess(['health', '--url', `http://127.0.0.1:${port}/elsewhere`]);
    expect(url.code).toBe(1);
  });

  it('exits 1 naming the URL and the reason when nothing listens', async () => {
    const closed = String(await freePort());
    const r = await runCliInProcess(['health', '--port', closed]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(`^agent2389: http://127\\.0\\.0\\.1:${closed}/ready: .*ECONNREFUSED`),
    );
  });

  it.each([['0'], ['-1'], ['soon']])('--timeout %s is a usage error (64)', async (timeout) => {
    const r = await runCliInProcess(['health', '--port', port, '--timeout', timeout]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--timeout/);
  });
});
