import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { coalesceWrites } from '../../../src/core/transport/coalesce-writes.js';

/** A loopback server that records each chunk (each read) the client's writes arrive in. */
async function pair(): Promise<{ client: Socket; chunks: string[]; close: () => Promise<void> }> {
  const chunks: string[] = [];
  const server = createServer((s) => s.on('data', (d: Buffer) => chunks.push(d.toString())));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', noDelay: true });
  await once(client, 'connect');
  return {
    client,
    chunks,
    close: async () => {
      client.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('coalesceWrites', () => {
  it('sends the writes of one event-loop turn, across promise continuations, as one chunk', async () => {
    const p = await pair();
    cleanup = p.close;
    coalesceWrites(p.client);
    p.client.write('a');
    await Promise.resolve();
    p.client.write('b');
    await Promise.resolve().then(() => p.client.write('c'));
    await until(() => p.chunks.join('') === 'abc');
    expect(p.chunks).toEqual(['abc']);
  });

  it('flushes every turn: writes in later turns are delivered too, in order', async () => {
    const p = await pair();
    cleanup = p.close;
    coalesceWrites(p.client);
    for (const part of ['1', '2', '3']) {
      p.client.write(part);
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => p.chunks.join('') === '123');
    expect(p.chunks.join('')).toBe('123');
  });

  it('keeps the write callback and return value', async () => {
    const p = await pair();
    cleanup = p.close;
    coalesceWrites(p.client);
    let called = false;
    const ok = p.client.write('x', () => (called = true));
    expect(ok).toBe(true);
    await until(() => called);
    expect(called).toBe(true);
  });
});
