// Script executor: runs JS tool scripts in isolated-vm isolates inside supervised script-host children:
// one shared by every tool, plus one per tool that opts in to WebAssembly (V8's wasm caps are per process).
//
// Script format: an ES module whose default export is a (possibly async) function
// `(params, host) => result`. `params` arrives as a JSON copy; the result must be JSON-serialisable
// (`undefined` becomes null) and crosses back as JSON text, size-checked in the isolate first.
// `host` holds only the declared host functions: `host.log(level, message)` or `host.log(message)`
// (levels debug|info|warn|error; 100 lines per call, 4096 characters each) goes to the call's logger;
// `await host.fetch(url, {method, headers, body, timeout_seconds})` makes one HTTP request under the
// tool's URL policy (@agent2389/tool-sdk/http, the built-in http_request's checks) and resolves with a
// copy of {url, status, status_text, headers, body, body_encoding, truncated, redirects}.
// There is no require, process, import (static or dynamic), filesystem, network or timers. The module
// is evaluated afresh for every call (top-level code runs once per call, in a context built ahead of
// time), so nothing a call does to its globals is seen by the next call. WebAssembly does not exist
// unless the tool opts in (`wasm`); then its wasm memory is capped at memoryLimitMb per memory and, with
// its V8 heap, by the data limit of its own child. Every child runs under RLIMIT_DATA (prlimit, required:
// fail closed without it), so memory that no isolate counts (e.g. ICU objects behind Intl) cannot take
// the machine: the child dies at its cap and is restarted, like after any crash.
//
// The agent process never loads isolated-vm: only the children do (they need --no-node-snapshot).
import type { LoggerV1 } from '../../../tool-sdk/src/index.js';
import {
  AgentError,
  ERR_CLOSED,
  ERR_SANDBOX_UNAVAILABLE,
  ERR_SCRIPT_FAILED,
  ERR_SCRIPT_HOST_CRASHED,
  ERR_SCRIPT_LOAD_FAILED,
  ERR_TOOL_INVALID_PARAMS,
  ERR_TOOL_TIMEOUT,
  reasonOf,
} from '../errors.js';
import { DEFAULT_FETCH_POLICY, type FetchPolicy } from '../config/fetch-policy.js';
import {
  DEFAULT_SCRIPT_HOST_MEMORY_MB,
  type ExecutionResult,
  type HostFunction,
  type ScriptLimits,
} from './execution.js';
import { findExecutable } from './find-executable.js';
import { wasmHostLaunch, type HostLaunch } from './script-host/host-launch.js';
import { HostProcess } from './script-host/host-process.js';
import { INLINE_MAX_TIMEOUT_MS, type HostReply } from './script-host/protocol.js';
import { forwardLog, toOutcome, type Outcome } from './script-outcome.js';

export interface ScriptSpec {
  readonly tool: string;
  /** Absolute path to the .js file. */
  readonly source: string;
  readonly limits: ScriptLimits;
  /** Declared host functions; only these exist in the isolate. */
  readonly hostFunctions: readonly HostFunction[];
  /** host.fetch's URL policy (required for, and only used with, a declared "fetch"). */
  readonly fetch?: FetchPolicy;
  /** The tool opted in to WebAssembly: it runs in a child of its own that caps wasm memory. */
  readonly wasm?: boolean;
}

export interface ScriptExecutorOptions {
  readonly log?: LoggerV1;
  /** Warm isolates per tool (default 2). */
  readonly poolSize?: number;
  /** RLIMIT_DATA of each script-host child, in MiB ([sandbox] script_host_memory_mb). */
  readonly hostMemoryMb?: number;
  /** Where prlimit is looked up (default: the agent's PATH). */
  readonly path?: string;
}

export interface ScriptCallOptions {
  readonly signal: AbortSignal;
  readonly log: LoggerV1;
}

const MECHANISMS = ['isolate', 'memory-limit', 'timeout', 'wall-clock', 'result-cap', 'separate-process'];
/** What applies to a call: `no-wasm` (WebAssembly absent) or `wasm-capped` (the tool's own capped child). */
export const SCRIPT_SANDBOX: readonly string[] = Object.freeze([...MECHANISMS, 'rlimit', 'no-wasm']);
export const WASM_SCRIPT_SANDBOX: readonly string[] = Object.freeze([...MECHANISMS, 'rlimit', 'wasm-capped']);

/**
 * The agent's wall clock for one running call: the child's own clock (CPU timeout plus time spent
 * waiting on host.fetch, itself bounded per request and in count) should have fired long before.
 */
export function wallClockMs(spec: Pick<ScriptSpec, 'limits' | 'hostFunctions' | 'fetch'>): number {
  const fetch = fetchPolicyOf(spec);
  const fetchMs = fetch ? fetch.max_requests * fetch.timeout_seconds * 1000 : 0;
  // INLINE_MAX_TIMEOUT_MS: the call may have waited behind another tool's call running inline.
  return 2 * spec.limits.timeoutMs + 1000 + INLINE_MAX_TIMEOUT_MS + fetchMs;
}

/** The policy host.fetch runs under: the spec's, or public-hosts-only when fetch is declared without one. */
export const fetchPolicyOf = (spec: Pick<ScriptSpec, 'hostFunctions' | 'fetch'>): FetchPolicy | undefined =>
  spec.hostFunctions.includes('fetch') ? (spec.fetch ?? DEFAULT_FETCH_POLICY) : undefined;
/** A call waiting in the child's queue (all isolates of its tool busy) may wait this much more. */
const QUEUE_GRACE_MS = 30_000;
/** Loading evaluates the module once per pooled isolate, each bounded by timeoutMs in the child. */
const loadDeadlineMs = (limits: ScriptLimits): number => 10_000 + 2 * limits.timeoutMs;
/** The child a tool runs in: the shared one, or its own when it opts in to WebAssembly. */
const hostKey = (spec: Pick<ScriptSpec, 'tool' | 'wasm'>): string =>
  spec.wasm ? `wasm:${spec.tool}` : 'shared';

interface Pending {
  readonly host: HostState;
  onMessage(msg: HostReply): void;
  /** The child stopped (`closing`: because close() was called). */
  onExit(reason: string, closing: boolean): void;
}

interface HostState {
  readonly key: string;
  readonly process: HostProcess;
  /** Scripts loaded (or loading) in this child, by tool. */
  readonly loads: Map<string, { readonly spec: ScriptSpec; readonly done: Promise<void> }>;
  /** Set when the agent kills the child, so the other calls learn why. */
  killReason?: string;
}

const sameSpec = (a: ScriptSpec, b: ScriptSpec): boolean =>
  a.source === b.source &&
  a.limits.timeoutMs === b.limits.timeoutMs &&
  a.limits.memoryLimitMb === b.limits.memoryLimitMb &&
  a.limits.maxOutputBytes === b.limits.maxOutputBytes &&
  a.hostFunctions.join() === b.hostFunctions.join() &&
  JSON.stringify(a.fetch) === JSON.stringify(b.fetch) &&
  Boolean(a.wasm) === Boolean(b.wasm);

const sameLaunch = (a: HostLaunch, b: HostLaunch): boolean =>
  a.dataLimitMb === b.dataLimitMb && a.wasmMemoryMb === b.wasmMemoryMb;

export class ScriptExecutor {
  readonly #log: LoggerV1 | undefined;
  readonly #poolSize: number;
  readonly #hostMemoryMb: number;
  readonly #path: string | undefined;
  #prlimit: Promise<string | undefined> | undefined;
  /** Every script loaded successfully: loaded again into a restarted child. */
  readonly #specs = new Map<string, ScriptSpec>();
  readonly #pending = new Map<number, Pending>();
  /** The running children, by hostKey. */
  readonly #hosts = new Map<string, HostState>();
  #nextId = 1;
  #closed = false;

  constructor(opts: ScriptExecutorOptions = {}) {
    this.#log = opts.log;
    this.#poolSize = Math.max(1, opts.poolSize ?? 2);
    this.#hostMemoryMb = opts.hostMemoryMb ?? DEFAULT_SCRIPT_HOST_MEMORY_MB;
    this.#path = opts.path ?? process.env.PATH;
  }

  /** The shared script host's pid, if one is running (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.hostPid({ tool: '' });
  }

  /** The pid of the child `spec`'s tool runs in, if it is running. */
  hostPid(spec: Pick<ScriptSpec, 'tool' | 'wasm'>): number | undefined {
    const host = this.#hosts.get(hostKey(spec));
    return host?.process.alive ? host.process.pid : undefined;
  }

  /**
   * Read + compile the script in the child; throws ERR_SCRIPT_LOAD_FAILED, or ERR_SANDBOX_UNAVAILABLE
   * when prlimit is missing.
   */
  async load(spec: ScriptSpec): Promise<void> {
    if (this.#closed) throw new ERR_CLOSED({});
    const codes: string[] = [ERR_SCRIPT_LOAD_FAILED.code, ERR_CLOSED.code, ERR_SANDBOX_UNAVAILABLE.code];
    try {
      await this.#ensureLoaded(this.#ensureHost(spec, await this.#requirePrlimit(spec.tool)), spec);
    } catch (e) {
      if (AgentError.is(e) && codes.includes(e.code)) throw e;
      const reason = reasonOf(e);
      throw new ERR_SCRIPT_LOAD_FAILED({ tool: spec.tool, source: spec.source, reason }, { cause: e });
    }
    this.#loaded(spec);
  }

  /** `spec` is what its tool runs from now on; a child the tool no longer uses is stopped. */
  #loaded(spec: ScriptSpec): void {
    this.#specs.set(spec.tool, spec);
    const own = this.#hosts.get(`wasm:${spec.tool}`);
    if (spec.wasm || !own) return;
    this.#hosts.delete(own.key);
    this.#kill(own, `"${spec.tool}" no longer uses WebAssembly`);
  }

  /** prlimit's path; the script hosts are never started without their rlimit (fail closed). */
  async #requirePrlimit(tool: string): Promise<string> {
    this.#prlimit ??= findExecutable('prlimit', this.#path);
    const found = await this.#prlimit;
    if (found) return found;
    this.#prlimit = undefined; // installed later: found on the next try
    throw new ERR_SANDBOX_UNAVAILABLE({ tool, mechanism: 'rlimit', reason: 'prlimit is not on PATH' });
  }

  /** The limits of the child `spec` runs in. */
  #launchFor(spec: ScriptSpec): HostLaunch {
    return spec.wasm
      ? wasmHostLaunch(spec.limits.memoryLimitMb, this.#poolSize, this.#hostMemoryMb)
      : { dataLimitMb: this.#hostMemoryMb };
  }

  /** One call; never throws for script misbehaviour (ok:false + coded error). Loads the script if needed. */
  async run(spec: ScriptSpec, params: unknown, opts: ScriptCallOptions): Promise<ExecutionResult> {
    const t0 = performance.now();
    const outcome = await this.#run(spec, params, opts);
    const sandbox = spec.wasm ? WASM_SCRIPT_SANDBOX : SCRIPT_SANDBOX;
    const base = { durationMs: performance.now() - t0, sandbox };
    if ('ok' in outcome)
      return { ...base, ok: true, value: outcome.value, timedOut: false, outputTruncated: false };
    return { timedOut: false, outputTruncated: false, ...outcome, ...base, ok: false };
  }

  async #run(spec: ScriptSpec, params: unknown, opts: ScriptCallOptions): Promise<Outcome> {
    const tool = spec.tool;
    if (this.#closed) return { error: new ERR_CLOSED({}) };
    let paramsJson: string;
    try {
      paramsJson = JSON.stringify(params) ?? 'null';
    } catch (e) {
      return {
        error: new ERR_TOOL_INVALID_PARAMS({ tool, errors: [`not JSON-serialisable: ${reasonOf(e)}`] }),
      };
    }
    return new Promise<Outcome>((resolve) => {
      const id = this.#nextId++;
      let timer: NodeJS.Timeout | undefined;
      let host: HostState | undefined;
      let settled = false;
      const settle = (o: Outcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
        resolve(o);
      };
      const onAbort = (): void => {
        if (host && this.#pending.has(id)) host.process.send({ type: 'cancel', id });
        settle({ error: new ERR_SCRIPT_FAILED({ tool, reason: 'aborted' }, { cause: opts.signal.reason }) });
      };
      if (opts.signal.aborted) return onAbort();
      opts.signal.addEventListener('abort', onAbort, { once: true });
      const armWallClock = (ms: number): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          settle({ timedOut: true, error: new ERR_TOOL_TIMEOUT({ tool, timeoutMs: spec.limits.timeoutMs }) });
          if (host) this.#kill(host, `a call to "${tool}" overran its wall clock`);
        }, ms);
      };
      void (async () => {
        try {
          host = this.#ensureHost(spec, await this.#requirePrlimit(tool));
          await this.#ensureLoaded(host, spec);
          this.#loaded(spec);
        } catch (e) {
          return settle({
            error: AgentError.is(e) ? e : new ERR_SCRIPT_FAILED({ tool, reason: reasonOf(e) }),
          });
        }
        if (settled) return;
        if (this.#closed) return settle({ error: new ERR_CLOSED({}) });
        const h = host;
        if (!h.process.alive) {
          return settle({
            error: new ERR_SCRIPT_HOST_CRASHED({ tool, reason: h.killReason ?? 'it stopped' }),
          });
        }
        this.#pending.set(id, {
          host: h,
          onMessage: (msg) => {
            if (msg.type === 'queued') armWallClock(wallClockMs(spec) + QUEUE_GRACE_MS);
            else if (msg.type === 'started') armWallClock(wallClockMs(spec));
            else if (msg.type === 'log') forwardLog(opts.log, tool, msg.level, msg.message);
            else if (msg.type === 'result') settle(toOutcome(tool, spec.limits, msg.outcome));
          },
          onExit: (reason, closing) =>
            settle({ error: closing ? new ERR_CLOSED({}) : new ERR_SCRIPT_HOST_CRASHED({ tool, reason }) }),
        });
        armWallClock(wallClockMs(spec));
        h.process.send({ type: 'run', id, tool, params: paramsJson });
      })();
    });
  }

  /**
   * The running child `spec` belongs in, or a new one (which gets its known scripts loaded again). A wasm
   * tool's child started for other limits (its memory limit changed) is replaced.
   */
  #ensureHost(spec: ScriptSpec, prlimit: string): HostState {
    const key = hostKey(spec);
    const launch = this.#launchFor(spec);
    const live = this.#hosts.get(key);
    if (live?.process.alive) {
      if (sameLaunch(live.process.launch, launch)) return live;
      this.#kill(live, `the limits of "${spec.tool}" changed`);
    }
    let proc: HostProcess;
    try {
      proc = new HostProcess(
        (msg) => this.#pending.get(msg.id)?.onMessage(msg),
        (reason) => this.#onExit(state, reason),
        prlimit,
        launch,
      );
    } catch (e) {
      const reason = `cannot start: ${reasonOf(e)}`;
      throw new ERR_SCRIPT_HOST_CRASHED({ tool: spec.tool, reason }, { cause: e });
    }
    const state: HostState = { key, process: proc, loads: new Map() };
    this.#hosts.set(key, state);
    this.#log?.debug({ pid: proc.pid, host: key, data_limit_mb: launch.dataLimitMb }, 'script host started');
    for (const known of this.#specs.values())
      if (hostKey(known) === key && known.tool !== spec.tool)
        this.#ensureLoaded(state, known).catch(() => {});
    return state;
  }

  #onExit(state: HostState, reason: string): void {
    if (this.#hosts.get(state.key) === state) this.#hosts.delete(state.key);
    const why = state.killReason ?? reason;
    if (!this.#closed) this.#log?.warn({ pid: state.process.pid, reason: why }, 'script host stopped');
    for (const pending of [...this.#pending.values()]) if (pending.host === state) pending.onExit(why, false);
  }

  #kill(state: HostState, reason: string): void {
    state.killReason ??= reason;
    state.process.kill();
  }

  /** Load `spec` into `state`'s child unless the same spec is loaded (or loading) there already. */
  #ensureLoaded(state: HostState, spec: ScriptSpec): Promise<void> {
    const known = state.loads.get(spec.tool);
    if (known && sameSpec(known.spec, spec)) return known.done;
    const done = this.#loadInto(state, spec);
    state.loads.set(spec.tool, { spec, done });
    done.catch(() => {
      if (state.loads.get(spec.tool)?.done === done) state.loads.delete(spec.tool);
    });
    return done;
  }

  #loadInto(state: HostState, spec: ScriptSpec): Promise<void> {
    const fail = (reason: string): AgentError =>
      new ERR_SCRIPT_LOAD_FAILED({ tool: spec.tool, source: spec.source, reason });
    return new Promise<void>((resolve, reject) => {
      const id = this.#nextId++;
      const finish = (e?: AgentError): void => {
        clearTimeout(timer);
        this.#pending.delete(id);
        if (e) reject(e);
        else resolve();
      };
      const timer = setTimeout(() => {
        finish(fail('loading did not finish in time'));
        this.#kill(state, `loading "${spec.tool}" did not finish in time`);
      }, loadDeadlineMs(spec.limits));
      this.#pending.set(id, {
        host: state,
        onMessage: (msg) => {
          if (msg.type === 'loaded') finish();
          else if (msg.type === 'load-failed') finish(fail(msg.reason));
        },
        onExit: (reason, closing) =>
          finish(closing ? new ERR_CLOSED({}) : fail(`the script host stopped (${reason})`)),
      });
      const { tool, source, limits, hostFunctions } = spec;
      const fetch = fetchPolicyOf(spec);
      const script = {
        tool,
        source,
        limits,
        hostFunctions,
        ...(fetch ? { fetch } : {}),
        wasm: spec.wasm ?? false,
        poolSize: this.#poolSize,
      };
      state.process.ready.then(
        () => state.process.send({ type: 'load', id, script }),
        () => {}, // the exit is reported through onExit
      );
    });
  }

  /** Dispose all isolates and stop the child; calls in flight resolve with ERR_CLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const [id, pending] of [...this.#pending]) {
      this.#pending.delete(id);
      pending.onExit('the executor was closed', true);
    }
    const hosts = [...this.#hosts.values()];
    this.#hosts.clear();
    for (const host of hosts) host.process.kill();
    await Promise.all(hosts.map((h) => h.process.exited));
  }
}
