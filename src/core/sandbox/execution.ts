// The shape every sandboxed call returns, and the limits each executor enforces.
import type { AgentError } from '../errors.js';

/** What one executor call produced. Limit hits are `ok: false` with a coded error, never a throw. */
export interface ExecutionResult {
  readonly ok: boolean;
  /** The tool's JSON result when `ok`. */
  readonly value?: unknown;
  /** The coded failure when not `ok` (AGENT_ERR_TOOL_TIMEOUT, _OUTPUT_TOO_LARGE, _EXIT, …). */
  readonly error?: AgentError;
  readonly timedOut: boolean;
  readonly outputTruncated: boolean;
  readonly durationMs: number;
  /**
   * The confinement mechanisms that applied to this call, e.g. `process-group`, `timeout`,
   * `output-cap`, `env-allowlist`, `private-cwd`, `rlimit`, `bwrap`, `no-network` for subprocesses;
   * `isolate`, `memory-limit`, `timeout`, `wall-clock`, `result-cap`, `separate-process`, `rlimit` and
   * `no-wasm` (or `wasm-capped`) for scripts.
   */
  readonly sandbox: readonly string[];
}

export interface SubprocessLimits {
  /** SIGTERM to the whole process group after this long. */
  readonly timeoutMs: number;
  /** Then SIGKILL to the group after this much more. */
  readonly forceKillAfterMs: number;
  /** Cap on stdout and on stderr, each. */
  readonly maxOutputBytes: number;
  /** RLIMIT_CPU. */
  readonly cpuSeconds: number;
  /** RLIMIT_AS, in MiB. */
  readonly memoryMb: number;
  /** RLIMIT_NPROC. */
  readonly maxProcesses: number;
  /** RLIMIT_FSIZE, in bytes. */
  readonly maxFileSizeBytes: number;
}

export interface ScriptLimits {
  /** Isolate CPU time per call; a wall-clock kill follows shortly after. */
  readonly timeoutMs: number;
  readonly memoryLimitMb: number;
  /** Cap on the JSON size of the result. */
  readonly maxOutputBytes: number;
}

export const DEFAULT_SUBPROCESS_LIMITS: SubprocessLimits = {
  timeoutMs: 30_000,
  forceKillAfterMs: 2_000,
  maxOutputBytes: 1024 * 1024,
  cpuSeconds: 30,
  memoryMb: 1024,
  maxProcesses: 64,
  maxFileSizeBytes: 16 * 1024 * 1024,
};

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = {
  timeoutMs: 1_000,
  memoryLimitMb: 64,
  maxOutputBytes: 1024 * 1024,
};

/**
 * RLIMIT_DATA of a script-host child, in MiB, unless [sandbox] script_host_memory_mb says otherwise.
 * Measured VmData: ~125 MiB with isolated-vm and one tool loaded (mostly reserved thread stacks),
 * ~205 MiB with 9 tools (18 warm isolates), ~715 MiB with 8 isolates at their 64 MiB limit at once.
 */
export const DEFAULT_SCRIPT_HOST_MEMORY_MB = 2048;

/** Functions a script may call through its `host` argument, when its manifest or table declares them. */
export type HostFunction = 'log' | 'fetch';
export const HOST_FUNCTIONS: readonly HostFunction[] = ['log', 'fetch'];
