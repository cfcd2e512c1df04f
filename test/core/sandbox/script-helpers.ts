// Shared bits of the script-executor tests: fixture specs, executors closed after each test, process checks.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { onTestFinished } from 'vitest';

import { DEFAULT_SCRIPT_LIMITS, type ScriptLimits } from '../../../src/core/sandbox/execution.js';
import { ScriptExecutor, type ScriptCallOptions, type ScriptSpec } from '../../../src/core/sandbox/script.js';
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { recordingLogger } from '../../helpers/recording-logger.js';

export { recordingLogger, type LogEntry } from '../../helpers/recording-logger.js';

export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/scripts/${name}.js`, import.meta.url));

/** A spec for fixture `name` (tool name = fixture name unless given), with a short default timeout. */
export function scriptSpec(
  name: string,
  limits: Partial<ScriptLimits> = {},
  extra: { tool?: string; log?: boolean; fetch?: boolean; source?: string; wasm?: boolean } = {},
): ScriptSpec {
  return {
    tool: extra.tool ?? name,
    source: extra.source ?? fixture(name),
    limits: { ...DEFAULT_SCRIPT_LIMITS, timeoutMs: 500, ...limits },
    hostFunctions: [...(extra.log ? ['log' as const] : []), ...(extra.fetch ? ['fetch' as const] : [])],
    ...(extra.wasm ? { wasm: true } : {}),
  };
}

export function callOpts(
  log: LoggerV1 = recordingLogger(),
  signal: AbortSignal = new AbortController().signal,
): ScriptCallOptions {
  return { signal, log };
}

/** Peak resident memory of a live process, in MiB (VmHWM: the most it ever held, whenever that was). */
export function peakRssMb(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** The soft RLIMIT_DATA of a live process, in MiB (Infinity when unlimited). */
export function dataLimitMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max data size'));
  const soft = line?.slice('Max data size'.length).trim().split(/\s+/)[0];
  return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft) / (1024 * 1024);
}

/** A script executor closed (its script hosts killed) when the current test finishes. */
export function testExecutor(opts: ConstructorParameters<typeof ScriptExecutor>[0] = {}): ScriptExecutor {
  const exec = new ScriptExecutor(opts);
  onTestFinished(() => exec.close());
  return exec;
}

/** True while process `pid` exists (signal 0 reaches it). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
