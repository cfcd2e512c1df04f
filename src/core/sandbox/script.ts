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
import type { LoggerV1 } from '@agent2389/tool-sdk';
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
import { DEFAULT_SCRIPT_HOST_MEMORY_MB, type ExecutionResult } from './execution.js';
import { PendingRequests, type Request, type StrayKind } from './pending-requests.js';
import { ScriptCache } from './script-cache.js';
import { INLINE_MAX_TIMEOUT_MS, type HostReply } from './script-host/protocol.js';
import { ScriptHosts, type ScriptHost } from './script-hosts.js';
import { forwardLog, toOutcome, type Outcome } from './script-outcome.js';
import { fetchPolicyOf, type ScriptSpec } from './script-spec.js';

export { fetchPolicyOf, type ScriptSpec } from './script-spec.js';

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

/** A call waiting in the child's queue (all isolates of its tool busy) may wait this much more. */
const QUEUE_GRACE_MS = 30_000;

/** 1, 2, 4, 8…: dropped replies are logged at these counts only, so a flooding child cannot flood the log. */
const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

export class ScriptExecutor {
  readonly #log: LoggerV1 | undefined;
  readonly #requests: PendingRequests<HostReply, ScriptHost>;
  readonly #hosts: ScriptHosts;
  readonly #cache: ScriptCache;
  #closed = false;

  constructor(opts: ScriptExecutorOptions = {}) {
    this.#log = opts.log;
    const poolSize = Math.max(1, opts.poolSize ?? 2);
    this.#requests = new PendingRequests({ onStray: (...a) => this.#onStray(...a) });
    this.#hosts = new ScriptHosts({
      log: opts.log,
      poolSize,
      hostMemoryMb: opts.hostMemoryMb ?? DEFAULT_SCRIPT_HOST_MEMORY_MB,
      path: opts.path ?? process.env.PATH,
      onMessage: (host, msg) => this.#requests.deliver(host, msg),
      onExit: (host, reason) => this.#requests.failChannel(host, reason),
      onStart: (host, tool) => this.#cache.reloadInto(host, tool),
    });
    this.#cache = new ScriptCache(this.#requests, this.#hosts, poolSize);
  }

  /** The shared script host's pid, if one is running (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.#hosts.pid({ tool: '' });
  }

  /** The pid of the child `spec`'s tool runs in, if it is running. */
  hostPid(spec: Pick<ScriptSpec, 'tool' | 'wasm'>): number | undefined {
    return this.#hosts.pid(spec);
  }

  /**
   * Read + compile the script in the child; throws ERR_SCRIPT_LOAD_FAILED, or ERR_SANDBOX_UNAVAILABLE
   * when prlimit is missing.
   */
  async load(spec: ScriptSpec): Promise<void> {
    if (this.#closed) throw new ERR_CLOSED({});
    const codes: string[] = [ERR_SCRIPT_LOAD_FAILED.code, ERR_CLOSED.code, ERR_SANDBOX_UNAVAILABLE.code];
    try {
      await this.#cache.ensureLoaded(await this.#hosts.acquire(spec), spec);
    } catch (e) {
      if (AgentError.is(e) && codes.includes(e.code)) throw e;
      const reason = reasonOf(e);
      throw new ERR_SCRIPT_LOAD_FAILED({ tool: spec.tool, source: spec.source, reason }, { cause: e });
    }
    this.#loaded(spec);
  }

  /** `spec` is what its tool runs from now on; a child the tool no longer uses is stopped. */
  #loaded(spec: ScriptSpec): void {
    this.#cache.remember(spec);
    this.#hosts.retireOwn(spec);
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

  /**
   * The run request: the wall clock (suspended while the child queues the call, at most once), abort
   * (cancel in the child), the child's end, its log lines and its result.
   */
  #run(spec: ScriptSpec, params: unknown, opts: ScriptCallOptions): Promise<Outcome> {
    const tool = spec.tool;
    if (this.#closed) return Promise.resolve({ error: new ERR_CLOSED({}) });
    let paramsJson: string;
    try {
      paramsJson = JSON.stringify(params) ?? 'null';
    } catch (e) {
      const errors = [`not JSON-serialisable: ${reasonOf(e)}`];
      return Promise.resolve({ error: new ERR_TOOL_INVALID_PARAMS({ tool, errors }) });
    }
    let phase: 'sent' | 'queued' | 'started' = 'sent';
    const req = this.#requests.open<Outcome>(
      {
        onReply: (msg, r) => {
          if (msg.type === 'queued' && phase === 'sent') {
            phase = 'queued';
            r.arm(wallClockMs(spec) + QUEUE_GRACE_MS);
          } else if (msg.type === 'started' && phase === 'queued') {
            phase = 'started';
            r.arm(wallClockMs(spec));
          } else if (msg.type === 'log') forwardLog(opts.log, tool, msg.level, msg.message);
          else if (msg.type === 'result') r.resolve(toOutcome(tool, spec.limits, msg.outcome));
        },
        onTimeout: (r) => {
          if (r.channel) this.#hosts.kill(r.channel, `a call to "${tool}" overran its wall clock`);
          const error = new ERR_TOOL_TIMEOUT({ tool, timeoutMs: spec.limits.timeoutMs });
          return { value: { timedOut: true, error } };
        },
        onEnd: (reason, closing) => ({
          value: { error: closing ? new ERR_CLOSED({}) : new ERR_SCRIPT_HOST_CRASHED({ tool, reason }) },
        }),
        onAbort: (r) => {
          r.channel?.process.send({ type: 'cancel', id: r.id });
          const cause: unknown = opts.signal.reason;
          return { value: { error: new ERR_SCRIPT_FAILED({ tool, reason: 'aborted' }, { cause }) } };
        },
      },
      opts.signal,
    );
    if (!req.settled)
      this.#send(req, spec, paramsJson).catch((e: unknown) =>
        req.resolve({ error: new ERR_SCRIPT_FAILED({ tool, reason: reasonOf(e) }, { cause: e }) }),
      );
    return req.promise;
  }

  /** Load the script if needed, then send the run to its child (unless the call ended meanwhile). */
  async #send(req: Request<ScriptHost, Outcome>, spec: ScriptSpec, paramsJson: string): Promise<void> {
    const tool = spec.tool;
    let host: ScriptHost;
    try {
      host = await this.#hosts.acquire(spec);
      await this.#cache.ensureLoaded(host, spec);
      this.#loaded(spec);
    } catch (e) {
      return req.resolve({
        error: AgentError.is(e) ? e : new ERR_SCRIPT_FAILED({ tool, reason: reasonOf(e) }),
      });
    }
    if (req.settled) return;
    if (this.#closed) return req.resolve({ error: new ERR_CLOSED({}) });
    if (!host.process.alive) {
      const reason = host.killReason ?? 'it stopped';
      return req.resolve({ error: new ERR_SCRIPT_HOST_CRASHED({ tool, reason }) });
    }
    req.bind(host);
    req.arm(wallClockMs(spec));
    host.process.send({ type: 'run', id: req.id, tool, params: paramsJson });
  }

  /** A reply that matches no call in flight: `late` ones are normal (after a cancel), others are not. */
  #onStray(kind: StrayKind, _reply: unknown, host: ScriptHost, count: number): void {
    if (!isPowerOfTwo(count)) return;
    const fields = { pid: host.process.pid, host: host.key, kind, count };
    if (kind === 'late') this.#log?.debug(fields, 'script host reply for a call that has ended');
    else this.#log?.warn(fields, 'script host sent a reply that matches no call: dropped');
  }

  /** Dispose all isolates and stop the child; calls in flight resolve with ERR_CLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#requests.closeAll('the executor was closed');
    await this.#hosts.closeAll();
  }
}
