// Test helper: run a real redis-server on a free loopback port in a temp dir (the Redis dedupe store's tests).
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

import { startServerProcess } from './server-process.js';
import type { ServerProcess } from './server-process.js';

export interface RedisOptions {
  /** Listen on this port; default: a free port. */
  readonly port?: number;
  /** Keep the data across restart() and kill() (append-only file, fsync always). Default false: none. */
  readonly persistence?: boolean;
  /** Extra lines appended to redis.conf (e.g. `requirepass secret`). */
  readonly extraConfig?: readonly string[];
  /** How long to wait for the server to answer PING (default 10 s). */
  readonly startTimeoutMs?: number;
}

/** dir holds redis.conf and any data files; restart() keeps the data when `persistence`; output() has stdout and stderr. */
export interface RedisServer extends ServerProcess {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
}

const HOST = '127.0.0.1';

/** $REDIS_SERVER_BIN, Debian's /usr/bin/redis-server, or redis-server on PATH. */
export function redisServerBinary(): string {
  return (
    process.env['REDIS_SERVER_BIN'] ??
    (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server')
  );
}

function config(dir: string, port: number, options: RedisOptions): string {
  return [
    `port ${port}`,
    `bind ${HOST}`,
    `dir ${dir}`,
    'daemonize no',
    'save ""',
    `appendonly ${options.persistence === true ? 'yes' : 'no'}`,
    'appendfsync always',
    'logfile ""',
    ...(options.extraConfig ?? []),
    '',
  ].join('\n');
}

/** True once the server answers PING (with a password set it answers NOAUTH, which also means it is up). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const server = await startServerProcess({
    name: 'redis-server',
    helperName: 'redis',
    tempPrefix: 'agent2389-redis-',
    binary: redisServerBinary(),
    args: (configPath) => [configPath],
    cwdInDir: true,
    captureStdout: true,
    configFile: 'redis.conf',
    config: (dir, port) => config(dir, port, options),
    ready: answersPing,
    readyWhat: 'answer',
    options,
  });
  return { url: `redis://${HOST}:${server.port}`, host: HOST, ...server };
}
