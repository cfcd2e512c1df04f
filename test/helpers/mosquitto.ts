// Test helper: run a real mosquitto on a free loopback port (with persistence) for transport and integration tests.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

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

export interface Mosquitto {
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The temp directory holding mosquitto.conf and the persistence file. */
  readonly dir: string;
  /** What mosquitto wrote to stderr so far (the tail), for assertion messages. */
  output(): string;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s), then delete the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Graceful stop (the persistence file is saved) and start again on the same port with the same data. */
  restart(): Promise<void>;
  /** SIGKILL: no clean shutdown, clients see the TCP connection die. Bring it back with restart(). */
  kill(): Promise<void>;
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
const MAX_OUTPUT = 64 * 1024;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

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

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
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
  const dir = await mkdtemp(join(tmpdir(), 'agent2389-mosquitto-'));
  const confPath = join(dir, 'mosquitto.conf');
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
    const proc = spawn(mosquittoBinary(), ['-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      output = (output + chunk).slice(-MAX_OUTPUT);
    });
    let spawnError: Error | undefined;
    proc.once('error', (err) => (spawnError = err));
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (spawnError) throw spawnError;
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`mosquitto exited (${proc.exitCode ?? proc.signalCode}) on port ${port}:\n${output}`);
      }
      if (await tryConnect(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    await exited(proc);
    throw new Error(
      `mosquitto did not accept connections on port ${port} within ${startTimeoutMs} ms:\n${output}`,
    );
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

  // A free port may be taken between freePort() and mosquitto's bind: retry a few times (not a fixed port).
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
    url: `mqtt://${HOST}:${port}`,
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
      if (stopped) throw new Error('mosquitto helper: restart() after stop()');
      await terminate('SIGTERM');
      await spawnAndWait();
    },
    async kill() {
      await terminate('SIGKILL');
    },
  };
}
