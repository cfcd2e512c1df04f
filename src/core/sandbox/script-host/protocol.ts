// IPC messages between the agent (script.ts) and the script-host child. No isolated-vm import here.
import type { FetchPolicy } from '../../config/fetch-policy.js';
import type { HostFunction, ScriptLimits } from '../execution.js';

export type { HostFunction };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Per call: at most this many `host.log` lines are forwarded, each clipped to this many characters. */
export const MAX_LOG_LINES_PER_CALL = 100;
export const MAX_LOG_LINE_CHARS = 4096;
/** Error messages of failing scripts are clipped to this many characters. */
export const MAX_REASON_CHARS = 1000;

/**
 * A call may run inline — on the script host's main thread (applySync), which saves the hand-off to
 * and from isolated-vm's thread (~0.3–1 ms when the CPUs are idle) — when the tool's previous call
 * finished within this many ms. While it runs, the host's other calls wait; a call that turns out
 * slow holds them at most its timeoutMs (≤ INLINE_MAX_TIMEOUT_MS), and the next one runs off-thread.
 */
export const INLINE_FAST_MS = 5;
/** Tools with a longer CPU timeout never run inline, nor do scripts that declare fetch. */
export const INLINE_MAX_TIMEOUT_MS = 1_000;

/** What names and bounds a script, on both sides: the agent's ScriptSpec and the child's WireScript. */
export interface ScriptBase {
  readonly tool: string;
  /** Absolute path to the .js file (the child reads and compiles it). */
  readonly source: string;
  readonly limits: ScriptLimits;
  /** Declared host functions; only these exist in the isolate. */
  readonly hostFunctions: readonly HostFunction[];
  /** host.fetch's URL policy (only used with a declared "fetch"). */
  readonly fetch?: FetchPolicy;
}

/** A script as the child sees it: `fetch` is present exactly when hostFunctions includes "fetch". */
export interface WireScript extends ScriptBase {
  /** The tool opted in to WebAssembly: it is not removed from its contexts (its child caps it). */
  readonly wasm: boolean;
  readonly poolSize: number;
}

/** Agent → child. Ids are unique per child for loads and runs alike. */
export type ToHost =
  | { readonly type: 'load'; readonly id: number; readonly script: WireScript }
  | { readonly type: 'run'; readonly id: number; readonly tool: string; readonly params: string }
  | { readonly type: 'cancel'; readonly id: number };

/** How one call ended, as decided in the child. `json` is the result's JSON text (≤ maxOutputBytes). */
export type RunOutcome =
  | { readonly kind: 'ok'; readonly json: string }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'memory' }
  /** The call failed after the script looked for WebAssembly, which the tool did not opt in to. */
  | { readonly kind: 'wasm-disabled'; readonly reason: string }
  /** The call failed with the host near its data limit: the host restarts. */
  | { readonly kind: 'host-memory'; readonly reason: string }
  | { readonly kind: 'too-large' };

/** Child → agent. */
export type FromHost =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'loaded'; readonly id: number }
  | { readonly type: 'load-failed'; readonly id: number; readonly reason: string }
  /** All isolates of the tool are busy: the call waits (the agent's wall clock is suspended)… */
  | { readonly type: 'queued'; readonly id: number }
  /** …until it leaves the queue: the agent's wall clock starts again. Sent only after `queued`. */
  | { readonly type: 'started'; readonly id: number }
  | { readonly type: 'log'; readonly id: number; readonly level: LogLevel; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly outcome: RunOutcome }
  /** The child is near its data limit and exits after its last result: send it nothing more. */
  | { readonly type: 'exiting'; readonly reason: string };

/** Every child message but `ready` and `exiting` answers a load or a run. */
export type HostReply = Exclude<FromHost, { readonly type: 'ready' } | { readonly type: 'exiting' }>;

/** Clip `s` to `max` characters, marking the cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}
