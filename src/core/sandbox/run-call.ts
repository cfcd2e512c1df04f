// One tool process from start to cleanup: work dir, launch plan, supervision, outcome, removal.
import { performance } from 'node:perf_hooks';

import { AgentError, ERR_TOOL_EXIT, ERR_TOOL_SPAWN_FAILED } from '../errors.js';
import { planLaunch } from './launch-plan.js';
import { sandboxUser } from './sandbox-user.js';
import type { SubprocessCallOptions, SubprocessSpec } from './subprocess-spec.js';
import { superviseProcess } from './supervise.js';
import { toolOutcome } from './tool-outcome.js';
import type { ToolOutcome } from './tool-outcome.js';
import { createWorkDir, removeWorkDir } from './work-dir.js';

export interface CallReport {
  readonly outcome: ToolOutcome;
  readonly timedOut: boolean;
  readonly outputTruncated: boolean;
  readonly durationMs: number;
  readonly sandbox: readonly string[];
}

/** A call aborted before its process started: the caller's AgentError reason, else ERR_TOOL_EXIT. */
function abortedBeforeStart(tool: string, reason: unknown): AgentError {
  if (AgentError.is(reason)) return reason;
  return new ERR_TOOL_EXIT(
    { tool, signal: 'SIGTERM', stderr: 'aborted before the tool started' },
    { cause: reason },
  );
}

/** Run `spec.command` with `args`, `input` on stdin (closed at once when undefined). Never rejects. */
export async function runCall(
  spec: SubprocessSpec,
  input: string | undefined,
  args: readonly string[],
  opts: SubprocessCallOptions,
  hostPath: string | undefined = process.env.PATH,
): Promise<CallReport> {
  const started = performance.now();
  const report = (
    outcome: ToolOutcome,
    sandbox: readonly string[] = [],
    more?: Partial<CallReport>,
  ): CallReport => ({
    outcome,
    timedOut: false,
    outputTruncated: false,
    sandbox,
    ...more,
    durationMs: Math.round(performance.now() - started),
  });
  if (opts.signal.aborted)
    return report({ ok: false, error: abortedBeforeStart(spec.tool, opts.signal.reason) });

  const user = sandboxUser(spec.runAs);
  let workDir: string;
  try {
    workDir = await createWorkDir(spec.workDirBase, user);
  } catch (err) {
    const reason = `cannot create a private work dir: ${(err as Error).message}`;
    const error = new ERR_TOOL_SPAWN_FAILED(
      { tool: spec.tool, command: spec.command, reason },
      { cause: err },
    );
    return report({ ok: false, error });
  }
  let release = (): void => {};
  const lifetime = new Promise<void>((resolve) => (release = resolve));
  try {
    const planned = await planLaunch(spec, workDir, opts.env, args, hostPath);
    if ('error' in planned) return report({ ok: false, error: planned.error });
    const { plan } = planned;
    opts.log.debug({ tool: spec.tool, sandbox: plan.sandbox }, 'tool subprocess starting');
    const raw = await superviseProcess(plan, input, spec.limits, opts.signal, lifetime, opts.owner);
    if (!raw.groupGone)
      opts.log.warn({ tool: spec.tool }, 'a process of the tool could not be confirmed dead after its call');
    const outcome = toolOutcome(spec.tool, spec.command, raw, spec.limits, opts.signal.reason);
    const overflow = raw.stopReason === 'stdout' || raw.stopReason === 'stderr';
    return report(outcome, plan.sandbox, {
      timedOut: raw.stopReason === 'timeout',
      outputTruncated: overflow,
    });
  } catch (err) {
    // Not the tool's doing (a bug or a host failure while planning): still a result, never a throw.
    const reason = `cannot run the tool: ${(err as Error).message}`;
    const error = new ERR_TOOL_SPAWN_FAILED(
      { tool: spec.tool, command: spec.command, reason },
      { cause: err },
    );
    return report({ ok: false, error });
  } finally {
    // As the tool's user: a process it left behind may be swapping the tree for symlinks right now.
    const failure = await removeWorkDir(workDir, user);
    if (failure)
      opts.log.warn({ tool: spec.tool, workDir, reason: failure }, 'cannot remove the tool work dir');
    release();
  }
}
