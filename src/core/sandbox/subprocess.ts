// The subprocess executor: run one call of the external tool protocol under hard limits and confinement.
//
// Composition (see launch-plan.ts): execa spawn(detached → new process group; uid/gid 65534 when the agent is
// root) → setpriv --pdeathsig KILL → prlimit (CPU, AS, NPROC, FSIZE) → [bwrap] → the tool. All kills go
// to the whole group; the group is swept after the direct child exits; shutdown kills every live group.
import type { ExecutionResult } from './execution.js';
import { checkSandbox } from './launch-plan.js';
import { killAllGroups } from './process-group.js';
import { runCall } from './run-call.js';
import { loadSpawner } from './supervise.js';
import type { SubprocessCallOptions, SubprocessPayload, SubprocessSpec } from './subprocess-spec.js';

export type { SubprocessCallOptions, SubprocessPayload, SubprocessSpec } from './subprocess-spec.js';
export { describeCommand } from './describe-command.js';
export type { ToolDescription } from './describe-command.js';

/** Run one call of the external tool protocol; never throws for tool misbehaviour (ok:false + coded error). */
export async function runSubprocess(
  spec: SubprocessSpec,
  payload: SubprocessPayload,
  opts: SubprocessCallOptions,
): Promise<ExecutionResult> {
  const input = JSON.stringify({
    tool: payload.tool,
    parameters: payload.parameters,
    config: payload.config,
  });
  const call = await runCall(spec, input, spec.args, opts);
  const common = {
    timedOut: call.timedOut,
    outputTruncated: call.outputTruncated,
    durationMs: call.durationMs,
    sandbox: call.sandbox,
  };
  if (call.outcome.ok) return { ok: true, value: call.outcome.value, ...common };
  opts.log.debug({ tool: spec.tool, code: call.outcome.error.code, ...common }, 'tool subprocess failed');
  return { ok: false, error: call.outcome.error, ...common };
}

/**
 * Throws ERR_SANDBOX_UNAVAILABLE when prlimit is missing, or when `spec.sandbox` is 'bwrap' and bwrap is
 * missing or cannot set up its namespaces (probed once per bwrap binary and user, then cached). Called at
 * tool load time: fail closed. `options.hostPath` overrides the PATH the helper binaries are looked up on.
 */
export async function assertSandboxAvailable(
  spec: SubprocessSpec,
  options: { hostPath?: string } = {},
): Promise<void> {
  const [error] = await Promise.all([
    checkSandbox(spec, 'hostPath' in options ? options.hostPath : process.env.PATH),
    loadSpawner(), // so that the tool's first call does not wait for execa to load
  ]);
  if (error) throw error;
}

/**
 * SIGKILL every live tool process group (of `owner` only, when given); resolves when their calls have
 * cleaned up.
 */
export function killAllSubprocesses(owner?: object): Promise<void> {
  return killAllGroups(owner);
}
