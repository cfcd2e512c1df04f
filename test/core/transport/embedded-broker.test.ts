// Tests for the embedded aedes broker: port 0, EADDRINUSE, close releases the port and every handle.
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../../src/core/transport/embedded-broker.js';
import type { EmbeddedBroker } from '../../../src/core/transport/embedded-broker.js';
import { freePort } from '../../helpers/free-port.js';

const log = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(port = 0): Promise<EmbeddedBroker> {
  const broker = await startEmbeddedBroker({ port, log });
  cleanups.push(() => broker.close());
  return broker;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server: Server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

describe('startEmbeddedBroker', () => {
  it('listens on a free port when asked for port 0 and reports it in url', async () => {
    const broker = await start();
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(await canListen(broker.port)).toBe(false);
  });

  it('fails with AGENT_ERR_BROKER_LISTEN when the port is taken', async () => {
    const first = await start();
    await expect(startEmbeddedBroker({ port: first.port, log })).rejects.toMatchObject({
      code: 'AGENT_ERR_BROKER_LISTEN',
      data: { host: '127.0.0.1', port: first.port, reason: 'EADDRINUSE' },
    });
  });

  it('close() releases the port, drops connected clients and is idempotent', async () => {
    const port = await freePort();
    const broker = await startEmbeddedBroker({ port, log });
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined); // the broker resets the connection on close
    await Promise.all([broker.close(), broker.close()]);
    await socketClosed;
    expect(await canListen(port)).toBe(true);
    const again = await start(port);
    expect(again.port).toBe(port);
  });
});
