// The prlimit(1) wrapper argv that applies a call's resource limits to the tool and everything it starts.
import type { SubprocessLimits } from './execution.js';

/** The limits prlimit applies; `cpuSeconds` undefined = no RLIMIT_CPU (a long-lived MCP server). */
export type PrlimitLimits = Pick<SubprocessLimits, 'memoryMb' | 'maxProcesses' | 'maxFileSizeBytes'> & {
  readonly cpuSeconds?: number;
};

export interface PrlimitOptions {
  /**
   * Which limit `memoryMb` sets: RLIMIT_AS (default; tool calls) or RLIMIT_DATA (node-based MCP servers:
   * V8 reserves far more address space than it uses, so node dies at startup under a 1 GiB RLIMIT_AS).
   */
  readonly memory?: 'as' | 'data';
}

/**
 * `prlimit --cpu=S:H --as=B --nproc=N --fsize=B --core=0 --`: prlimit sets the limits on itself and then
 * execs the rest of the argv, so they are inherited by the tool and all its descendants. `S:H` gives the
 * tool a SIGXCPU at the soft CPU limit and a SIGKILL one second later. RLIMIT_AS is virtual memory; the
 * interpreters we use (sh, python3, node) start well under the 1024 MiB default. With `memory: 'data'`,
 * `--data=B` replaces `--as=B`; without `cpuSeconds`, no `--cpu`.
 */
export function prlimitArgv(
  prlimitPath: string,
  limits: PrlimitLimits,
  options: PrlimitOptions = {},
): string[] {
  const memBytes = Math.max(1, Math.floor(limits.memoryMb * 1024 * 1024));
  const argv = [prlimitPath];
  if (limits.cpuSeconds !== undefined) {
    const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
    argv.push(`--cpu=${cpu}:${cpu + 1}`);
  }
  argv.push(
    options.memory === 'data' ? `--data=${memBytes}` : `--as=${memBytes}`,
    `--nproc=${Math.max(1, Math.floor(limits.maxProcesses))}`,
    `--fsize=${Math.max(0, Math.floor(limits.maxFileSizeBytes))}`,
    '--core=0',
    '--',
  );
  return argv;
}
