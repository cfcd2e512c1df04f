// Test helper: run a real redis-server on a free loopback port in a temp dir (the Redis dedupe store's tests).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './free-port.js';

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

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The temp directory holding redis.conf and any data files. */
  readonly dir: string;
  /** What redis-server logged so far (the tail), for assertion messages. */
  output(): string;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s), then delete the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Graceful stop and start again on the same port (with the same data when `persistence`). */
  restart(): Promise<void>;
  /** SIGKILL: clients see the TCP connection die. Bring it back with restart(). */
  kill(): Promise<void>;
}

const HOST = '127.0.0.1';
const MAX_OUTPUT = 64 * 1024;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

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

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
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
  const dir = await mkdtemp(join(tmpdir(), 'agent2389-redis-'));
  const confPath = join(dir, 'redis.conf');
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  let output = '';
  let child: ChildProcess | undefined;
  let port = 0;
  let stopped = false;

  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  }

  async function spawnAndWait(): Promise<void> {
    const proc = spawn(redisServerBinary(), [confPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    for (const stream of [proc.stdout, proc.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        output = (output + chunk).slice(-MAX_OUTPUT);
      });
    }
    let spawnError: Error | undefined;
    proc.once('error', (err) => (spawnError = err));
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (spawnError) throw spawnError;
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(
          `redis-server exited (${proc.exitCode ?? proc.signalCode}) on port ${port}:\n${output}`,
        );
      }
      if (await answersPing(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    await exited(proc);
    throw new Error(`redis-server did not answer on port ${port} within ${startTimeoutMs} ms:\n${output}`);
  }

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = undefined;
    const done = exited(proc);
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await done;
    clearTimeout(timer);
  }

  // A free port may be taken between freePort() and redis-server's bind: retry a few times.
  for (let attempt = 1; ; attempt++) {
    port = options.port ?? (await freePort());
    await writeFile(confPath, config(dir, port, options));
    try {
      await spawnAndWait();
      break;
    } catch (err) {
      await terminate('SIGKILL');
      if (attempt >= 3 || options.port !== undefined || !/in use/i.test(output)) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  return {
    url: `redis://${HOST}:${port}`,
    host: HOST,
    port,
    dir,
    output: () => output,
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error('redis helper: restart() after stop()');
      await terminate('SIGTERM');
      await spawnAndWait();
    },
    async kill() {
      await terminate('SIGKILL');
    },
  };
}
