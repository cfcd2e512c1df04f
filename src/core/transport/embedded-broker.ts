// The embedded MQTT broker (aedes 1.x on node:net): MQTT 3.1.1 only, in-memory sessions, for quickstarts and tests.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { ERR_BROKER_LISTEN } from '../errors.js';

export interface EmbeddedBrokerOptions {
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** TCP port (default 1883); 0 picks a free port, reported in `port` and `url`. */
  readonly port?: number;
  readonly log: LoggerV1;
}

export interface EmbeddedBroker {
  /** `mqtt://host:port` with the real port. */
  readonly url: string;
  readonly port: number;
  /** Stop listening, drop every client connection and close aedes. Idempotent. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeAedes(aedes: Aedes): Promise<void> {
  return new Promise((resolve) => aedes.close(() => resolve()));
}

/**
 * Start aedes behind a node:net server. Note: aedes speaks MQTT 3.1.1 only, so agents using it
 * must set `protocol_version = 4`; sessions and queued QoS 1 messages live in memory (lost on close).
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 1883;
  const { log } = options;
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();

  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  aedes.on('clientError', (client, err) =>
    log.debug({ clientId: client.id, err: err.message }, 'client error'),
  );
  aedes.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));

  try {
    await listen(server, requestedPort, host);
  } catch (err) {
    await closeAedes(aedes);
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ERR_BROKER_LISTEN({ host, port: requestedPort, reason }, { cause: err });
  }
  const { port } = server.address() as AddressInfo;
  const url = `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.debug({ url }, 'embedded MQTT broker listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await closeAedes(aedes);
        for (const socket of sockets) socket.destroy();
        await serverClosed;
        log.debug({ url }, 'embedded MQTT broker closed');
      })();
      return closing;
    },
  };
}
