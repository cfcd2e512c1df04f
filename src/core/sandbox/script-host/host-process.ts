// Agent side of the script host: starts the child under its rlimit (never imports isolated-vm), reports
// its exit, kills it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { ERR_INSTALL_INCOMPLETE, ERR_SCRIPT_HOST_START_FAILED } from '../../errors.js';
import { launchArgv, type HostLaunch } from './host-launch.js';
import type { FromHost, HostReply, ToHost } from './protocol.js';

const STDERR_TAIL_CHARS = 2000;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Names the script host bundled from the current source, for runs from TypeScript source (vitest). */
export const SCRIPT_HOST_ENTRY_ENV = 'AGENT2389_SCRIPT_HOST_ENTRY';

/**
 * The child's entry: next to this file in dist/. From TypeScript source (vitest) there is no main.js
 * next to it, and the one in dist/ may be stale: test/global-setup.ts bundles the current source and
 * names it in AGENT2389_SCRIPT_HOST_ENTRY.
 */
export function hostEntry(): string {
  const url = import.meta.url;
  if (!url.endsWith('.ts')) return fileURLToPath(new URL('./main.js', url));
  const entry = process.env[SCRIPT_HOST_ENTRY_ENV];
  if (!entry)
    throw new ERR_INSTALL_INCOMPLETE({
      missing: 'a script host built from the TypeScript source',
      fix: `set ${SCRIPT_HOST_ENTRY_ENV} to one (test/global-setup.ts does)`,
    });
  return entry;
}

/** Only a few variables reach the child: scripts cannot read the environment, and neither need they. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'TZ', 'LANG']) if (process.env[key] !== undefined) env[key] = process.env[key];
  return env;
}

/** One script-host child process. `onExit` fires exactly once, whatever ended it. */
export class HostProcess {
  readonly #child: ChildProcess;
  #alive = true;
  /** The child said it is exiting (near its data limit): it takes no new work. */
  #exiting = false;
  #stderr = '';
  /** Resolves when the child has loaded isolated-vm and listens; rejects (with the reason) if it died first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;

  /** `prlimit`: the absolute path of prlimit(1), which starts node under `launch`'s limits. */
  constructor(
    onMessage: (msg: HostReply) => void,
    onExit: (reason: string) => void,
    prlimit: string,
    readonly launch: HostLaunch,
  ) {
    const { file, args } = launchArgv(prlimit, hostEntry(), launch);
    this.#child = spawn(file, args, {
      serialization: 'json',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: childEnv(),
    });
    live.add(this.#child);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const child of live) child.kill('SIGKILL');
      });
    }
    // The agent may exit with the child still up (close() not called): the exit hook then kills it.
    this.#child.unref();
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    (this.#child.stderr as { unref?: () => void } | null)?.unref?.();
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
    this.ready.catch(() => {}); // observed by whoever sends; an early death is also reported via onExit
    let resolveExited!: () => void;
    this.exited = new Promise<void>((res) => (resolveExited = res));
    const ended = (reason: string): void => {
      if (!this.#alive) return;
      this.#alive = false;
      live.delete(this.#child);
      rejectReady(new ERR_SCRIPT_HOST_START_FAILED({ reason }));
      onExit(reason);
      resolveExited();
    };
    // Anything may arrive (even null): what is not ready/exiting goes to onMessage, which checks it.
    this.#child.on('message', (msg: FromHost | null) => {
      if (msg?.type === 'ready') resolveReady();
      else if (msg?.type === 'exiting') this.#exiting = true;
      else onMessage(msg as HostReply);
    });
    this.#child.on('error', (e) => {
      ended(`the script host failed: ${e.message}`);
      this.#child.kill('SIGKILL');
    });
    this.#child.on('exit', (code, signal) => {
      const how = signal !== null ? `killed by ${signal}` : `exited with code ${code ?? '?'}`;
      const tail = this.#stderr.trim();
      ended(tail ? `${how}: ${tail}` : how);
    });
    const channel = this.#child.channel as { unref?: () => void } | undefined;
    channel?.unref?.();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Running and taking work (false once it said it is exiting). */
  get alive(): boolean {
    return this.#alive && !this.#exiting;
  }

  /** Best effort: a failed send means the child is going away, which onExit reports. */
  send(msg: ToHost): void {
    if (!this.#alive || !this.#child.connected) return;
    this.#child.send(msg, (err) => {
      if (err) this.kill();
    });
  }

  kill(): void {
    if (!this.#alive) return;
    // Keep the event loop alive until the exit is seen: whoever awaits `exited` (close()) must not
    // be left pending in a program that has nothing else to do.
    this.#child.ref();
    this.#child.kill('SIGKILL');
  }
}
