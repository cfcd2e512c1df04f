// One fresh context per call: bootstrap (host object, captured JSON), the script's module, and the call.
import ivm from 'isolated-vm';

import type { ScriptLimits } from '../execution.js';
import { bootstrapSource } from './bootstrap.js';
import type { CallFetches, FetchSetup } from './host-fetch.js';
import type { HostFunction, RunOutcome } from './protocol.js';
import { ERR_SCRIPT_INVALID, reasonOf, toError } from '../../errors.js';

/** `(fn, paramsJson, maxChars) => tagged string`: see bootstrapSource. */
type Runner = (fn: unknown, params: string, max: number) => string;
/** A script's host.log line, or (`fromHost`) a line the host writes about the call, e.g. a fetch. */
export type LogSink = (callId: number, level: string, message: string, fromHost?: boolean) => void;
type FetchFn = (url: string, init: string) => Promise<string>;

/** A context with the script evaluated in it, ready for exactly one call. */
export interface CallContext {
  readonly runner: ivm.Reference<Runner>;
  readonly fn: ivm.Reference<unknown>;
  /** The call's host.fetch state, from `begin` on (when the script declares fetch). */
  readonly fetches: CallFetches | undefined;
  /** The call this context serves starts: host functions work from now on (not at module top level). */
  begin(callId: number): void;
  /** Abort the call's requests and free the context. */
  release(): void;
}

export interface CompiledScript {
  readonly code: string;
  readonly filename: string;
  readonly limits: ScriptLimits;
  readonly hostFunctions: readonly HostFunction[];
  /** The tool opted in to WebAssembly (and runs in a child of its own that caps it). */
  readonly wasm: boolean;
  /** Present exactly when hostFunctions includes "fetch". */
  readonly fetch?: FetchSetup;
}

const BOOTSTRAP = { plain: bootstrapSource(false), wasm: bootstrapSource(true) };

/**
 * Reject after `ms` unless `p` settles first; `onTimeout` runs when the timer wins. Time that
 * `paused()` reports (a call waiting on host.fetch) does not count.
 */
export function withDeadline<T>(
  p: Promise<T>,
  ms: number,
  onTimeout: () => T,
  paused: () => number = () => 0,
): Promise<T> {
  const start = performance.now();
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout;
    const check = (): void => {
      const left = start + ms + paused() - performance.now();
      if (left >= 1) {
        timer = setTimeout(check, left);
        return;
      }
      try {
        resolve(onTimeout());
      } catch (e) {
        reject(toError(e));
      }
    };
    timer = setTimeout(check, ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(toError(e))),
    );
  });
}

interface CallState {
  callId: number | undefined;
  fetches: CallFetches | undefined;
}

function hostCallbacks(
  script: CompiledScript,
  state: CallState,
  log: LogSink,
): { logCb: ivm.Callback | undefined; fetchRef: ivm.Reference<FetchFn> | undefined } {
  const logCb = script.hostFunctions.includes('log')
    ? new ivm.Callback((level: string, message: string) => {
        if (state.callId !== undefined) log(state.callId, level, message);
      })
    : undefined;
  const fetchRef = script.fetch
    ? new ivm.Reference<FetchFn>((url: string, init: string) => {
        if (!state.fetches) {
          const message = 'host.fetch works only during a call, not at module top level';
          return Promise.resolve(JSON.stringify({ ok: false, code: 'FETCH_OUTSIDE_CALL', message }));
        }
        return state.fetches.request(String(url), String(init));
      })
    : undefined;
  return { logCb, fetchRef };
}

/** Build a fresh context and evaluate the script in it; throws an Error whose message is the reason. */
export async function prepareContext(
  isolate: ivm.Isolate,
  script: CompiledScript,
  log: LogSink,
): Promise<CallContext> {
  const context = await isolate.createContext();
  const state: CallState = { callId: undefined, fetches: undefined };
  const { logCb, fetchRef } = hostCallbacks(script, state, log);
  // Every handle into the context is released with it: a handle the host's GC has not collected yet
  // keeps the whole context alive in the isolate, and released contexts then fill its memory limit.
  const held: { release(): void }[] = [];
  const hold = <T extends { release(): void }>(handle: T): T => (held.push(handle), handle);
  const release = (): void => {
    state.fetches?.end();
    for (const handle of held.splice(0)) {
      try {
        handle.release();
      } catch {
        // the isolate is gone already, and the handle with it
      }
    }
    fetchRef?.release();
    context.release();
  };
  try {
    // The bounded steps (our bootstrap; parsing and linking the script) run synchronously: each async
    // isolated-vm step costs a thread hand-off of ~0.1–0.3 ms. Creating the context (~1 ms of V8 work)
    // and evaluating the script's top level (its own code, up to timeoutMs) stay off the main thread.
    const bootstrap = script.wasm ? BOOTSTRAP.wasm : BOOTSTRAP.plain;
    const api = hold(context.evalClosureSync(bootstrap, [logCb, fetchRef], { result: { reference: true } }));
    const runner = hold(api.getSync('run', { reference: true }) as ivm.Reference<Runner>);
    const mod = hold(isolate.compileModuleSync(script.code, { filename: script.filename }));
    if (mod.dependencySpecifiers.length > 0) {
      const reason = `imports are not allowed (${mod.dependencySpecifiers.join(', ')})`;
      throw new ERR_SCRIPT_INVALID({ reason });
    }
    mod.instantiateSync(context, (specifier) => {
      throw new ERR_SCRIPT_INVALID({ reason: `imports are not allowed (${specifier})` });
    });
    const ms = script.limits.timeoutMs;
    const evaluated = mod.evaluate({ timeout: ms }).catch((e: unknown) => {
      throw new ERR_SCRIPT_INVALID({ reason: explainWasm(api, reasonOf(e)) }, { cause: e });
    });
    await withDeadline(evaluated, ms + 250, () => {
      throw new ERR_SCRIPT_INVALID({ reason: `module evaluation did not finish within ${ms} ms` });
    });
    const namespace = hold(mod.namespace);
    const fn = hold(namespace.getSync('default', { reference: true }) as ivm.Reference<unknown>);
    if (fn.typeof !== 'function')
      throw new ERR_SCRIPT_INVALID({ reason: 'the module has no default-exported function' });
    await warmRunner(context, runner);
    return {
      runner,
      fn,
      get fetches() {
        return state.fetches;
      },
      begin(callId) {
        state.callId = callId;
        if (script.fetch) state.fetches = script.fetch.startCall((line) => log(callId, 'debug', line, true));
      },
      release,
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** Top-level code failed: say so if it looked for a disabled WebAssembly or had a wasm allocation refused. */
function explainWasm(api: ivm.Reference, message: string): string {
  let note: unknown;
  let probe: ivm.Reference<() => string> | undefined;
  try {
    probe = api.getSync('wasmNote', { reference: true }) as ivm.Reference<() => string>;
    note = probe.applySync(undefined, [], { timeout: 100 });
  } catch {
    return message; // the isolate is gone (memory limit, dispose): its own message says why
  } finally {
    probe?.release();
  }
  if (note === 'disabled') return `${message} (WebAssembly is not enabled for this tool)`;
  if (note === 'refused') return `${message} (a WebAssembly allocation over the memory limit was refused)`;
  return message;
}

/**
 * Run the bootstrap's runner once on a no-op, ahead of time: a fresh context's first call otherwise
 * pays for compiling the runner and JSON's paths (~0.2 ms), which would land on the real call.
 */
async function warmRunner(context: ivm.Context, runner: ivm.Reference<Runner>): Promise<void> {
  const noop = context.evalClosureSync('return function warm() { return null; }', [], {
    result: { reference: true },
  });
  try {
    await runner.apply(undefined, [noop.derefInto(), 'null', 16], {
      timeout: 100,
      result: { promise: true, copy: true },
    });
  } finally {
    noop.release();
  }
}

/**
 * Start the call: off-thread (apply), or `inline` on this thread (applySync, same CPU timeout; its
 * result is the value, or a promise if the script is still waiting when its synchronous part ends).
 */
function start(
  call: CallContext,
  paramsJson: string,
  limits: ScriptLimits,
  inline: boolean,
): Promise<string> {
  const fn = call.fn.derefInto();
  const options = { timeout: limits.timeoutMs, result: { promise: true, copy: true } } as const;
  if (!inline) return call.runner.apply(undefined, [fn, paramsJson, limits.maxOutputBytes], options);
  try {
    return Promise.resolve(
      call.runner.applySync(undefined, [fn, paramsJson, limits.maxOutputBytes], options),
    );
  } catch (e) {
    return Promise.reject(toError(e));
  }
}

/** Run one call in `call` (which must not be reused). Never rejects. */
export async function invoke(
  isolate: ivm.Isolate,
  call: CallContext,
  paramsJson: string,
  limits: ScriptLimits,
  inline = false,
): Promise<RunOutcome> {
  const apply = start(call, paramsJson, limits, inline);
  try {
    // A promise that never settles burns no CPU, so the isolate timeout cannot see it: a wall clock,
    // which leaves out the time spent waiting on host.fetch (bounded per request and in count).
    const waited = (): number => call.fetches?.waitedMs() ?? 0;
    const tagged = await withDeadline(apply, limits.timeoutMs + 250, () => 'T', waited);
    const tag = tagged.charAt(0);
    if (tag === 'T') return { kind: 'timeout' };
    if (tag === 'L') return { kind: 'too-large' };
    if (tag === 'E') return { kind: 'failed', reason: tagged.slice(1) };
    if (tag === 'W') return { kind: 'wasm-disabled', reason: tagged.slice(1) };
    if (tag === 'M') return { kind: 'memory' };
    const json = tagged.slice(1);
    return Buffer.byteLength(json) > limits.maxOutputBytes ? { kind: 'too-large' } : { kind: 'ok', json };
  } catch (e) {
    const message = reasonOf(e);
    if (isolate.isDisposed && /memory limit/i.test(message)) return { kind: 'memory' };
    if (/timed out/i.test(message)) return { kind: 'timeout' };
    return { kind: 'failed', reason: isolate.isDisposed ? 'the isolate was disposed' : message };
  }
}
