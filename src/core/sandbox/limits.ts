// Effective limits of a sandboxed tool: host defaults, lowered (never raised) by the manifest or the
// [tools.x] table, and always capped by the operator's [sandbox] ceilings.
import type { AgentConfig } from '../config/schema.js';
import {
  DEFAULT_SCRIPT_LIMITS,
  DEFAULT_SUBPROCESS_LIMITS,
  type ScriptLimits,
  type SubprocessLimits,
} from './execution.js';

type Ceilings = AgentConfig['sandbox'];

export interface Effective<L> {
  readonly limits: L;
  /** Keys whose requested value was above the operator's ceiling (and was capped). */
  readonly capped: readonly (keyof L)[];
}

function merge<L extends object>(
  defaults: L,
  ceilings: L,
  requested: Partial<Record<keyof L, number | undefined>>,
): Effective<L> {
  const limits = {} as Record<keyof L, number>;
  const capped: (keyof L)[] = [];
  for (const key of Object.keys(defaults) as (keyof L)[]) {
    const ceiling = ceilings[key] as number;
    const asked = requested[key];
    if (asked !== undefined && asked > ceiling) capped.push(key);
    limits[key] = Math.min(asked ?? (defaults[key] as number), ceiling);
  }
  return { limits: limits as L, capped };
}

/** The operator's ceilings in the executor's units. */
export function subprocessCeilings(c: Ceilings): SubprocessLimits {
  return {
    timeoutMs: Math.round(c.timeout_seconds * 1000),
    forceKillAfterMs: Math.round(c.force_kill_after_seconds * 1000),
    maxOutputBytes: c.max_output_bytes,
    cpuSeconds: c.cpu_seconds,
    memoryMb: c.memory_mb,
    maxProcesses: c.max_processes,
    maxFileSizeBytes: c.max_file_size_bytes,
  };
}

export function scriptCeilings(c: Ceilings): ScriptLimits {
  return {
    timeoutMs: c.script_timeout_ms,
    memoryLimitMb: c.script_memory_limit_mb,
    maxOutputBytes: c.max_output_bytes,
  };
}

export function subprocessLimits(
  ceilings: Ceilings,
  requested: Partial<SubprocessLimits>,
): Effective<SubprocessLimits> {
  return merge(DEFAULT_SUBPROCESS_LIMITS, subprocessCeilings(ceilings), requested);
}

/** A module (in-process) tool's deadline when neither its manifest nor its [tools.x] table asks for one. */
export const DEFAULT_MODULE_TIMEOUT_MS = 30_000;

/**
 * A module tool's per-call deadline: what the manifest or table asked for (else 30 s), capped by the
 * operator's `[sandbox] timeout_seconds` (the same ceiling as subprocess tools).
 */
export function moduleLimits(
  ceilings: Ceilings,
  requested: { timeoutMs?: number | undefined },
): Effective<{ timeoutMs: number }> {
  const ceiling = { timeoutMs: Math.round(ceilings.timeout_seconds * 1000) };
  return merge({ timeoutMs: DEFAULT_MODULE_TIMEOUT_MS }, ceiling, requested);
}

export function scriptLimits(ceilings: Ceilings, requested: Partial<ScriptLimits>): Effective<ScriptLimits> {
  return merge(DEFAULT_SCRIPT_LIMITS, scriptCeilings(ceilings), requested);
}
