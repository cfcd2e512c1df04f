// Test helper: the lifecycle of a real server subprocess (mosquitto, redis-server) on a loopback port in a temp dir.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './free-port.js';

export interface ServerProcessSpec {
  /** The server's name in error messages, e.g. `mosquitto`. */
  readonly name: string;
  /** The helper's name in the restart-after-stop error, e.g. `redis` (default: `name`). */
  readonly helperName?: string;
  /** Prefix of the temp directory, e.g. `agent2389-redis-`. */
  readonly tempPrefix: string;
  readonly binary: string;
  /** Command-line arguments, given the config file's path. */
  readonly args: (configPath: string) => readonly string[];
  /** Run the server in the temp directory (default: the current one). */
  readonly cwdInDir?: boolean;
  /** Keep stdout in output() too (default: stderr only; stdout ignored). */
  readonly captureStdout?: boolean;
  /** The config file's name in the temp directory, e.g. `redis.conf`. */
  readonly configFile: string;
  /** The config file's text for this port (written again on a retry with another port). */
  readonly config: (dir: string, port: number) => string;
  /** One readiness probe, polled every 50 ms until true. */
  readonly ready: (port: number) => Promise<boolean>;
  /** What ready means, for the timeout error: `did not <readyWhat> on port …` (e.g. `answer`). */
  readonly readyWhat: string;
  /** The helper's own options: listen on `port` (no retry; default: a free port), wait `startTimeoutMs` (default 10 s). */
  readonly options: { readonly port?: number; readonly startTimeoutMs?: number };
}

export interface ServerProcess {
  readonly port: number;
  /** The temp directory holding the config and any data files. */
  readonly dir: string;
  /** What the server logged so far (the tail), for assertion messages. */
  output(): string;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s), then delete the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Graceful stop and start again on the same port with the same dir. */
  restart(): Promise<void>;
  /** SIGKILL: no clean shutdown, clients see the TCP connection die. Bring it back with restart(). */
  kill(): Promise<void>;
}

const MAX_OUTPUT = 64 * 1024;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts the server (retrying on another free port when the one picked was taken meanwhile) and waits until ready. */
export async function startServerProcess(spec: ServerProcessSpec): Promise<ServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), spec.tempPrefix));
  const configPath = join(dir, spec.configFile);
  const { name } = spec;
  const fixedPort = spec.options.port;
  const startTimeoutMs = spec.options.startTimeoutMs ?? 10_000;
  let output = '';
  let child: ChildProcess | undefined;
  let port = 0;
  let stopped = false;

  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  }

  async function spawnAndWait(): Promise<void> {
    const proc = spawn(spec.binary, spec.args(configPath), {
      ...(spec.cwdInDir === true ? { cwd: dir } : {}),
      stdio: ['ignore', spec.captureStdout === true ? 'pipe' : 'ignore', 'pipe'],
    });
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
        throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}) on port ${port}:\n${output}`);
      }
      if (await spec.ready(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    await exited(proc);
    throw new Error(
      `${name} did not ${spec.readyWhat} on port ${port} within ${startTimeoutMs} ms:\n${output}`,
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

  // A free port may be taken between freePort() and the server's bind: retry a few times (not a fixed port).
  for (let attempt = 1; ; attempt++) {
    port = fixedPort ?? (await freePort());
    await writeFile(configPath, spec.config(dir, port));
    try {
      await spawnAndWait();
      break;
    } catch (err) {
      await terminate('SIGKILL');
      if (attempt >= 3 || fixedPort !== undefined || !/in use/i.test(output)) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  return {
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
      if (stopped) throw new Error(`${spec.helperName ?? name} helper: restart() after stop()`);
      await terminate('SIGTERM');
      await spawnAndWait();
    },
    async kill() {
      await terminate('SIGKILL');
    },
  };
}
