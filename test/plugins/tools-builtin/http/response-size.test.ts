// max_response_size is enforced while streaming: the client stops reading and closes at the cap.
import type { ServerResponse } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { httpTool, startServer, type LocalServer } from './harness.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const CAP = 100 * KIB;

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Streamed {
  /** Bytes handed to the socket before the client closed the connection (or everything was sent). */
  readonly written: Promise<number>;
}

/**
 * Write `total` bytes in 64 KiB chunks, one chunk per event-loop turn (client and server share this
 * process: a tight loop would fill the kernel's socket buffers before the client could read anything),
 * waiting for 'drain' on backpressure; stop when the client closes.
 */
function stream(res: ServerResponse, total: number): Promise<number> {
  const chunk = Buffer.alloc(64 * KIB, 0x61);
  let written = 0;
  const pump = (): void => {
    if (res.destroyed) return;
    if (written >= total) return void res.end();
    written += chunk.length;
    if (res.write(chunk)) setImmediate(pump);
    else res.once('drain', () => setImmediate(pump)); // 'drain' can fire synchronously: yield anyway
  };
  const closed = new Promise<number>((resolve) => res.on('close', () => resolve(written)));
  pump();
  return closed;
}

async function streamingServer(
  total: number,
  headers: Record<string, string> = {},
): Promise<LocalServer & Streamed> {
  let report!: (written: Promise<number>) => void;
  const written = new Promise<Promise<number>>((resolve) => (report = resolve));
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', ...headers });
    report(stream(res, total));
  });
  servers.push(server);
  return Object.assign(server, { written: written.then((p) => p) });
}

describe('http_request: response size cap', () => {
  it('a 64 MiB response is cut at the cap and the connection is closed early', async () => {
    const server = await streamingServer(64 * MIB);
    const call = await httpTool({ allow_private_networks: true, max_response_size: CAP });
    const out = await call({ url: server.url });
    expect(out.truncated).toBe(true);
    expect(out.body).toHaveLength(CAP);
    expect(out.body).toBe('a'.repeat(CAP));
    const written = await server.written;
    expect(written).toBeLessThan(4 * MIB); // typically ~200 KiB; the full response is 64 MiB
  });

  it('a response whose Content-Length is above the cap is cut at the cap', async () => {
    const total = 1 * MIB;
    const server = await streamingServer(total, { 'content-length': String(total) });
    const call = await httpTool({ allow_private_networks: true, max_response_size: CAP });
    const out = await call({ url: server.url });
    expect(out).toMatchObject({ truncated: true, status: 200 });
    expect(out.body).toHaveLength(CAP);
    expect(out.headers['content-length']).toBe(String(total));
  });

  it('a response of exactly the cap is complete, not truncated', async () => {
    const server = await startServer((_req, res) => res.end('x'.repeat(1000)));
    servers.push(server);
    const call = await httpTool({ allow_private_networks: true, max_response_size: 1000 });
    expect(await call({ url: server.url })).toMatchObject({ truncated: false, body: 'x'.repeat(1000) });
  });

  it('a truncated binary body is base64 of exactly the first max_response_size bytes', async () => {
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
    });
    servers.push(server);
    const call = await httpTool({ allow_private_networks: true, max_response_size: 1234 });
    const out = await call({ url: server.url });
    expect(out).toMatchObject({ truncated: true, body_encoding: 'base64' });
    expect(Buffer.from(out.body, 'base64').equals(bytes.subarray(0, 1234))).toBe(true);
  });

  it('a truncated text body never ends in half a character', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('é'.repeat(100)); // 2 bytes each
    });
    servers.push(server);
    const call = await httpTool({ allow_private_networks: true, max_response_size: 11 });
    const out = await call({ url: server.url });
    expect(out).toMatchObject({ truncated: true, body: 'é'.repeat(5) });
  });
});
