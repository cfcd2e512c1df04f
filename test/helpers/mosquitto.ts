// Test helper: run a real mosquitto on a free loopback port (with persistence) for transport and integration tests.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { startServerProcess } from './server-process.js';
import type { ServerProcess } from './server-process.js';

export interface MosquittoOptions {
  /** Listen on this port (e.g. one a client is already retrying against); default: a free port. */
  readonly port?: number;
  /**
   * Keep sessions and queued QoS 1 messages on disk across restart() (default true: saved on every
   * change and on SIGTERM). False for benchmarks.
   */
  readonly persistence?: boolean;
  /** Extra lines appended to mosquitto.conf (e.g. a second, TLS listener). */
  readonly extraConfig?: readonly string[];
  /** How long to wait for the broker to accept connections (default 10 s). */
  readonly startTimeoutMs?: number;
}

/** dir holds mosquitto.conf and the persistence file (saved at restart()'s graceful stop); output() is stderr. */
export interface Mosquitto extends ServerProcess {
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
}

/**
 * Broker settings for the delivery chaos tests: no cap on a client's queue (`max_queued_messages 0`;
 * mosquitto drops beyond its default 1000), and the database saved at a graceful stop and every 60 s
 * instead of on every change (`autosave_on_changes` with a backlog of thousands rewrites it all each time).
 */
export const CHAOS_BROKER: readonly string[] = [
  'max_queued_messages 0',
  'autosave_on_changes false',
  'autosave_interval 60',
];

const HOST = '127.0.0.1';

/** $MOSQUITTO_BIN, Debian's /usr/sbin/mosquitto (not on a user's PATH), or mosquitto on PATH. */
export function mosquittoBinary(): string {
  return (
    process.env['MOSQUITTO_BIN'] ?? (existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto')
  );
}

function config(dir: string, port: number, options: MosquittoOptions): string {
  const persistence = options.persistence ?? true;
  return [
    `listener ${port} ${HOST}`,
    'allow_anonymous true',
    'set_tcp_nodelay true',
    `persistence ${persistence}`,
    ...(persistence
      ? [`persistence_location ${dir}/`, 'autosave_interval 1', 'autosave_on_changes true']
      : []),
    'log_dest stderr',
    // As root, mosquitto would switch to the `mosquitto` user and then fail to write our temp dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    ...(options.extraConfig ?? []),
    '',
  ].join('\n');
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const server = await startServerProcess({
    name: 'mosquitto',
    tempPrefix: 'agent2389-mosquitto-',
    binary: mosquittoBinary(),
    args: (configPath) => ['-c', configPath],
    configFile: 'mosquitto.conf',
    config: (dir, port) => config(dir, port, options),
    ready: tryConnect,
    readyWhat: 'accept connections',
    options,
  });
  return { url: `mqtt://${HOST}:${server.port}`, host: HOST, ...server };
}
