// Can the user a subprocess tool runs as execute its command? Checked when the tool loads (agent start,
// reload), by `agent2389 validate`, and again before each call, so an unreachable file (e.g. under a 0700
// folder of the root agent) is a coded error naming the tool, the path, the user and the fix, not a
// `prlimit: failed to execute` at call time.
import { ERR_TOOL_NOT_EXECUTABLE, type AgentError } from '../errors.js';
import { resolveCommand } from './find-executable.js';
import { describeUser, effectiveToolUser, sandboxUser, type SandboxUser } from './sandbox-user.js';
import type { SubprocessSpec } from './subprocess-spec.js';
import { toolEnv } from './tool-env.js';

/** ERR_TOOL_NOT_EXECUTABLE for `path`, with the fix that fits who the tool runs as. */
export function notExecutable(
  tool: string,
  path: string,
  reason: string,
  runAs: SandboxUser | undefined,
): AgentError {
  const drop = sandboxUser(runAs);
  const self = effectiveToolUser(runAs);
  const user = drop ? describeUser(drop) : `the agent's own user (${describeUser(self)})`;
  const fix = drop
    ? `let that user reach it (e.g. chmod o+x on each folder above ${path} and o+rx on the file), ` +
      'move the tool to a folder that user can read, or set [sandbox] user to a user that can run it'
    : `chmod ${path} and the folders above it so that the agent's user can execute it`;
  return new ERR_TOOL_NOT_EXECUTABLE({ tool, path, user, reason, fix });
}

/**
 * ERR_TOOL_NOT_EXECUTABLE when the tool's command exists but its user cannot execute it, looked up on the
 * PATH the tool will get from `callerEnv`. A missing command is left to the call (and to --describe).
 */
export async function checkToolCommand(
  spec: Pick<SubprocessSpec, 'tool' | 'command' | 'envAllow' | 'runAs'>,
  callerEnv: NodeJS.ProcessEnv,
): Promise<AgentError | undefined> {
  const path = toolEnv(spec.envAllow, callerEnv, '/').PATH!;
  const resolved = await resolveCommand(spec.command, path, effectiveToolUser(spec.runAs));
  if ('path' in resolved || resolved.code !== 'EACCES') return undefined;
  return notExecutable(spec.tool, resolved.file ?? spec.command, resolved.reason, spec.runAs);
}

/** Throw what checkToolCommand finds (tool load: the tool is not loaded). */
export async function assertToolCommandRunnable(
  spec: Pick<SubprocessSpec, 'tool' | 'command' | 'envAllow' | 'runAs'>,
  callerEnv: NodeJS.ProcessEnv,
): Promise<void> {
  const problem = await checkToolCommand(spec, callerEnv);
  if (problem) throw problem;
}
