// Child supervision for the script executor: which script-host child a tool runs in, starting it under its
// rlimit (prlimit is required: fail closed), replacing it when its limits change, noticing its exit (a
// crash, or a kill by the agent with the reason recorded) and stopping every child on close.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { ERR_SANDBOX_UNAVAILABLE, ERR_SCRIPT_HOST_CRASHED, reasonOf } from '../errors.js';
import { findExecutable } from './find-executable.js';
import { wasmHostLaunch, type HostLaunch } from './script-host/host-launch.js';
import { HostProcess } from './script-host/host-process.js';
import type { HostReply } from './script-host/protocol.js';
import { hostKey, type ScriptSpec } from './script-spec.js';

/** One running script-host child. */
export interface ScriptHost {
  readonly key: string;
  readonly process: HostProcess;
  /** Set when the agent kills the child, so the calls it fails learn why. */
  killReason?: string;
}

export interface ScriptHostsOptions {
  readonly log: LoggerV1 | undefined;
  readonly poolSize: number;
  /** RLIMIT_DATA of each child, in MiB. */
  readonly hostMemoryMb: number;
  /** Where prlimit is looked up. */
  readonly path: string | undefined;
  /** A message from `host` that answers a request. */
  readonly onMessage: (host: ScriptHost, msg: HostReply) => void;
  /** `host` stopped; `reason` is the agent's kill reason if it killed it. */
  readonly onExit: (host: ScriptHost, reason: string) => void;
  /** `host` was just started for `tool`: the other scripts it should hold are loaded into it. */
  readonly onStart: (host: ScriptHost, tool: string) => void;
}

const sameLaunch = (a: HostLaunch, b: HostLaunch): boolean =>
  a.dataLimitMb === b.dataLimitMb && a.wasmMemoryMb === b.wasmMemoryMb;

export class ScriptHosts {
  readonly #opts: ScriptHostsOptions;
  /** The running children, by hostKey. */
  readonly #hosts = new Map<string, ScriptHost>();
  #prlimit: Promise<string | undefined> | undefined;
  #closing = false;

  constructor(opts: ScriptHostsOptions) {
    this.#opts = opts;
  }

  /** The pid of the child `spec`'s tool runs in, if it is running. */
  pid(spec: Pick<ScriptSpec, 'tool' | 'wasm'>): number | undefined {
    const host = this.#hosts.get(hostKey(spec));
    return host?.process.alive ? host.process.pid : undefined;
  }

  /**
   * The running child `spec` belongs in, or a new one (which gets its known scripts loaded again). A wasm
   * tool's child started for other limits (its memory limit changed) is replaced.
   */
  async acquire(spec: ScriptSpec): Promise<ScriptHost> {
    const prlimit = await this.#requirePrlimit(spec.tool);
    const key = hostKey(spec);
    const launch = this.#launchFor(spec);
    const live = this.#hosts.get(key);
    if (live?.process.alive) {
      if (sameLaunch(live.process.launch, launch)) return live;
      this.kill(live, `the limits of "${spec.tool}" changed`);
    }
    let proc: HostProcess;
    try {
      proc = new HostProcess(
        (msg) => this.#opts.onMessage(host, msg),
        (reason) => this.#onExit(host, reason),
        prlimit,
        launch,
      );
    } catch (e) {
      const reason = `cannot start: ${reasonOf(e)}`;
      throw new ERR_SCRIPT_HOST_CRASHED({ tool: spec.tool, reason }, { cause: e });
    }
    const host: ScriptHost = { key, process: proc };
    this.#hosts.set(key, host);
    this.#opts.log?.debug(
      { pid: proc.pid, host: key, data_limit_mb: launch.dataLimitMb },
      'script host started',
    );
    this.#opts.onStart(host, spec.tool);
    return host;
  }

  /** Stop `tool`'s own (wasm) child once the tool no longer opts in to WebAssembly. */
  retireOwn(spec: Pick<ScriptSpec, 'tool' | 'wasm'>): void {
    const own = this.#hosts.get(hostKey({ tool: spec.tool, wasm: true }));
    if (spec.wasm || !own) return;
    this.#hosts.delete(own.key);
    this.kill(own, `"${spec.tool}" no longer uses WebAssembly`);
  }

  /** Kill `host`; the first reason given is what the calls it fails are told. */
  kill(host: ScriptHost, reason: string): void {
    host.killReason ??= reason;
    host.process.kill();
  }

  /** Kill every child and wait for them to exit. */
  async closeAll(): Promise<void> {
    this.#closing = true;
    const hosts = [...this.#hosts.values()];
    this.#hosts.clear();
    for (const host of hosts) host.process.kill();
    await Promise.all(hosts.map((h) => h.process.exited));
  }

  /** prlimit's path; the script hosts are never started without their rlimit (fail closed). */
  async #requirePrlimit(tool: string): Promise<string> {
    this.#prlimit ??= findExecutable('prlimit', this.#opts.path);
    const found = await this.#prlimit;
    if (found) return found;
    this.#prlimit = undefined; // installed later: found on the next try
    throw new ERR_SANDBOX_UNAVAILABLE({ tool, mechanism: 'rlimit', reason: 'prlimit is not on PATH' });
  }

  /** The limits of the child `spec` runs in. */
  #launchFor(spec: ScriptSpec): HostLaunch {
    const { poolSize, hostMemoryMb } = this.#opts;
    return spec.wasm
      ? wasmHostLaunch(spec.limits.memoryLimitMb, poolSize, hostMemoryMb)
      : { dataLimitMb: hostMemoryMb };
  }

  #onExit(host: ScriptHost, reason: string): void {
    if (this.#hosts.get(host.key) === host) this.#hosts.delete(host.key);
    const why = host.killReason ?? reason;
    if (!this.#closing) this.#opts.log?.warn({ pid: host.process.pid, reason: why }, 'script host stopped');
    this.#opts.onExit(host, why);
  }
}
