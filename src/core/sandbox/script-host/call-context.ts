// One fresh context per call: bootstrap (host object, captured JSON), the script's module, and the call.
import ivm from 'isolated-vm';

import type { ScriptLimits } from '../execution.js';
import { MAX_REASON_CHARS, type HostFunction, type RunOutcome } from './protocol.js';

/** `(fn, paramsJson, maxChars) => tagged string`: R<json> ok, L too large, E<message> thrown. */
type Runner = (fn: unknown, params: string, max: number) => string;
export type LogSink = (callId: number, level: string, message: string) => void;

/**
 * Runs in the fresh context before the script's module. JSON and String are captured here, so a
 * script that replaces them only fools itself; the size check happens before anything crosses.
 */
const BOOTSTRAP = `'use strict';
const parse = JSON.parse, stringify = JSON.stringify, Str = String, ErrorCtor = Error, logCb = $0;
const host = {};
if (logCb !== undefined) {
  host.log = function log(a, b) {
    if (arguments.length >= 2) logCb(Str(a), Str(b)); else logCb('info', Str(a));
  };
}
Object.freeze(host);
return async function run(fn, paramsJson, max) {
  let s;
  try {
    s = stringify(await fn(parse(paramsJson), host));
  } catch (e) {
    let m;
    try { m = e instanceof ErrorCtor ? Str(e.message) : Str(e); } catch { m = 'a value that cannot be printed'; }
    return 'E' + Str.prototype.slice.call(m, 0, ${MAX_REASON_CHARS});
  }
  if (s === undefined) return 'Rnull';
  return s.length > max ? 'L' : 'R' + s;
};`;

/** A context with the script evaluated in it, ready for exactly one call. */
export interface CallContext {
  readonly context: ivm.Context;
  readonly runner: ivm.Reference<Runner>;
  readonly fn: ivm.Reference<unknown>;
  /** The call this context serves; `host.log` lines before that (module top level) are dropped. */
  callId: number | undefined;
}

export interface CompiledScript {
  readonly code: string;
  readonly filename: string;
  readonly limits: ScriptLimits;
  readonly hostFunctions: readonly HostFunction[];
}

/** Reject after `ms` unless `p` settles first; `onTimeout` runs when the timer wins. */
export function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    }, ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/** Build a fresh context and evaluate the script in it; throws an Error whose message is the reason. */
export async function prepareContext(
  isolate: ivm.Isolate,
  script: CompiledScript,
  log: LogSink,
): Promise<CallContext> {
  const context = await isolate.createContext();
  try {
    const holder: { callId: number | undefined } = { callId: undefined };
    const logCb = script.hostFunctions.includes('log')
      ? new ivm.Callback((level: string, message: string) => {
          if (holder.callId !== undefined) log(holder.callId, level, message);
        })
      : undefined;
    const runner = await context.evalClosure(BOOTSTRAP, [logCb], { result: { reference: true } });
    const mod = await isolate.compileModule(script.code, { filename: script.filename });
    if (mod.dependencySpecifiers.length > 0) {
      throw new Error(`imports are not allowed (${mod.dependencySpecifiers.join(', ')})`);
    }
    await mod.instantiate(context, (specifier) => {
      throw new Error(`imports are not allowed (${specifier})`);
    });
    const ms = script.limits.timeoutMs;
    await withDeadline(mod.evaluate({ timeout: ms }), ms + 250, () => {
      throw new Error(`module evaluation did not finish within ${ms} ms`);
    });
    const fn = (await mod.namespace.get('default', { reference: true })) as ivm.Reference<unknown>;
    if (fn.typeof !== 'function') throw new Error('the module has no default-exported function');
    const call: CallContext = {
      context,
      runner: runner as ivm.Reference<Runner>,
      fn,
      get callId() {
        return holder.callId;
      },
      set callId(id) {
        holder.callId = id;
      },
    };
    return call;
  } catch (e) {
    context.release();
    throw e;
  }
}

/** Run one call in `call` (which must not be reused). Never rejects. */
export async function invoke(
  isolate: ivm.Isolate,
  call: CallContext,
  paramsJson: string,
  limits: ScriptLimits,
): Promise<RunOutcome> {
  const apply = call.runner.apply(undefined, [call.fn.derefInto(), paramsJson, limits.maxOutputBytes], {
    timeout: limits.timeoutMs,
    result: { promise: true, copy: true },
  });
  try {
    // A promise that never settles burns no CPU, so the isolate timeout cannot see it: a wall clock.
    const tagged = await withDeadline(apply, limits.timeoutMs + 250, () => 'T');
    const tag = tagged.charAt(0);
    if (tag === 'T') return { kind: 'timeout' };
    if (tag === 'L') return { kind: 'too-large' };
    if (tag === 'E') return { kind: 'failed', reason: tagged.slice(1) };
    const json = tagged.slice(1);
    return Buffer.byteLength(json) > limits.maxOutputBytes ? { kind: 'too-large' } : { kind: 'ok', json };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (isolate.isDisposed && /memory limit/i.test(message)) return { kind: 'memory' };
    if (/timed out/i.test(message)) return { kind: 'timeout' };
    return { kind: 'failed', reason: isolate.isDisposed ? 'the isolate was disposed' : message };
  }
}
