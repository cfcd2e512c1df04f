// Shared setup for the subprocess executor tests: fixture paths, spec/options builders, /proc checks.
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { DEFAULT_SUBPROCESS_LIMITS } from '../../../src/core/sandbox/execution.js';
import type { ExecutionResult, SubprocessLimits } from '../../../src/core/sandbox/execution.js';
import { liveGroups } from '../../../src/core/sandbox/process-group.js';
import { runSubprocess } from '../../../src/core/sandbox/subprocess.js';
import type { SubprocessCallOptions, SubprocessSpec } from '../../../src/core/sandbox/subprocess.js';

export const BIN = fileURLToPath(new URL('../../fixtures/bin/', import.meta.url)).replace(/\/$/, '');

/** git keeps the exec bit, but a checkout with core.fileMode=false would not: set it defensively. */
export function ensureFixtureModes(): void {
  for (const name of readdirSync(BIN)) chmodSync(`${BIN}/${name}`, name === 'not-executable' ? 0o644 : 0o755);
}

export const FAST_LIMITS: SubprocessLimits = {
  ...DEFAULT_SUBPROCESS_LIMITS,
  timeoutMs: 10_000,
  forceKillAfterMs: 1_000,
  maxOutputBytes: 64 * 1024,
};

export function fixtureSpec(name: string, over: Partial<SubprocessSpec> = {}): SubprocessSpec {
  return {
    tool: name,
    command: `${BIN}/${name}`,
    args: [],
    toolDir: BIN,
    envAllow: [],
    sandbox: 'none',
    network: false,
    limits: FAST_LIMITS,
    ...over,
  };
}

export function callOptions(over: Partial<SubprocessCallOptions> = {}): SubprocessCallOptions {
  return { signal: new AbortController().signal, env: {}, log: silentLogger, ...over };
}

export const payload = (parameters: unknown = {}) => ({ tool: 'fixture', parameters, config: {} });

export const isRoot = process.getuid?.() === 0;

/** True while `pid` is a live (non-zombie) process. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live (non-zombie) processes whose command line mentions `needle`. */
export function livePidsRunning(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(needle) && alive(Number(name))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Live (non-zombie) processes owned by real uid `uid`. */
export function livePidsOfUid(uid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const m = /^Uid:\s+(\d+)/m.exec(status);
      if (m && Number(m[1]) === uid && alive(Number(name))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** A string unique to one test call, to find its processes by command line. */
export function marker(): string {
  return `mark-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Live (non-zombie) processes in process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Run a call that lasts a while and also report the process group it ran in (this file's only live call). */
export async function runTracked(
  spec: SubprocessSpec,
  opts: SubprocessCallOptions = callOptions(),
): Promise<{ result: ExecutionResult; pgid: number | undefined }> {
  const before = new Set(liveGroups());
  let done = false;
  const running = runSubprocess(spec, payload(), opts).finally(() => (done = true));
  let pgid: number | undefined;
  while (pgid === undefined && !done) {
    await new Promise((r) => setTimeout(r, 10));
    pgid = liveGroups().find((g) => !before.has(g));
  }
  return { result: await running, pgid };
}
