// The prlimit(1) wrapper argv that applies a call's resource limits to the tool and everything it starts.
import type { SubprocessLimits } from './execution.js';

/**
 * `prlimit --cpu=S:H --as=B --nproc=N --fsize=B --core=0 --`: prlimit sets the limits on itself and then
 * execs the rest of the argv, so they are inherited by the tool and all its descendants. `S:H` gives the
 * tool a SIGXCPU at the soft CPU limit and a SIGKILL one second later. RLIMIT_AS is virtual memory; the
 * interpreters we use (sh, python3, node) start well under the 1024 MiB default.
 */
export function prlimitArgv(prlimitPath: string, limits: SubprocessLimits): string[] {
  const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
  const asBytes = Math.max(1, Math.floor(limits.memoryMb * 1024 * 1024));
  return [
    prlimitPath,
    `--cpu=${cpu}:${cpu + 1}`,
    `--as=${asBytes}`,
    `--nproc=${Math.max(1, Math.floor(limits.maxProcesses))}`,
    `--fsize=${Math.max(0, Math.floor(limits.maxFileSizeBytes))}`,
    '--core=0',
    '--',
  ];
}
