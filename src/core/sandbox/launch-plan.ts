// Compose the exact argv, env and identity of one tool call: setpriv → prlimit → [bwrap] → command.
import { ERR_SANDBOX_UNAVAILABLE, ERR_TOOL_SPAWN_FAILED } from '../errors.js';
import type { AgentError } from '../errors.js';
import { bwrapArgv, probeBwrap } from './bwrap.js';
import { findExecutable, resolveCommand } from './find-executable.js';
import { prlimitArgv } from './rlimits.js';
import { effectiveToolUser, sandboxUser } from './sandbox-user.js';
import type { SandboxUser } from './sandbox-user.js';
import type { SubprocessSpec } from './subprocess-spec.js';
import { toolEnv } from './tool-env.js';

export interface LaunchPlan {
  /** argv[0] as spawned: setpriv, else prlimit. */
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  /** The identity spawn drops to (agent is root), else undefined. */
  readonly user?: SandboxUser;
  /** The mechanisms that apply, in the order of ExecutionResult.sandbox. */
  readonly sandbox: readonly string[];
}

/** The mechanisms every call gets, before the optional ones. */
export const BASE_MECHANISMS = ['process-group', 'timeout', 'output-cap', 'env-allowlist', 'private-cwd'];

/** Helper binaries on the agent's own PATH (not the tool's), executable by the tool's user. */
export function hostBinary(name: string, hostPath: string | undefined): Promise<string | undefined> {
  return findExecutable(name, hostPath, effectiveToolUser());
}

/** Verify what `spec` needs of the host, without running the tool: prlimit, and a working bwrap. */
export async function checkSandbox(
  spec: SubprocessSpec,
  hostPath: string | undefined,
): Promise<AgentError | undefined> {
  if (!(await hostBinary('prlimit', hostPath)))
    return new ERR_SANDBOX_UNAVAILABLE({
      tool: spec.tool,
      mechanism: 'rlimit',
      reason: 'prlimit is not on PATH',
    });
  if (spec.sandbox !== 'bwrap') return undefined;
  const bwrap = await hostBinary('bwrap', hostPath);
  if (!bwrap)
    return new ERR_SANDBOX_UNAVAILABLE({
      tool: spec.tool,
      mechanism: 'bwrap',
      reason: 'bwrap is not on PATH',
    });
  const verdict = await probeBwrap(bwrap, sandboxUser());
  return verdict.ok
    ? undefined
    : new ERR_SANDBOX_UNAVAILABLE({ tool: spec.tool, mechanism: 'bwrap', reason: verdict.reason });
}

/**
 * argv shape (each wrapper execs the next, so the tool keeps the spawned pid and its process group):
 *   [uid/gid drop by spawn] setpriv --pdeathsig KILL -- prlimit --cpu … -- [bwrap … --] /abs/command args…
 * setpriv is optional (omitted when absent); prlimit and, when configured, bwrap are required (fail closed).
 */
export async function planLaunch(
  spec: SubprocessSpec,
  workDir: string,
  callerEnv: NodeJS.ProcessEnv,
  args: readonly string[],
  hostPath: string | undefined = process.env.PATH,
): Promise<{ plan: LaunchPlan } | { error: AgentError }> {
  const unavailable = await checkSandbox(spec, hostPath);
  if (unavailable) return { error: unavailable };
  const env = toolEnv(spec.envAllow, callerEnv, workDir);
  const user = sandboxUser();
  const resolved = await resolveCommand(spec.command, env.PATH!, effectiveToolUser());
  if (!('path' in resolved))
    return {
      error: new ERR_TOOL_SPAWN_FAILED({
        tool: spec.tool,
        command: spec.command,
        reason: `${resolved.code}: ${resolved.reason}`,
      }),
    };
  const sandbox = [...BASE_MECHANISMS, 'rlimit'];
  if (user) sandbox.push('uid-drop');
  const setpriv = await hostBinary('setpriv', hostPath);
  const argv: string[] = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--'] : [];
  if (setpriv) sandbox.push('pdeathsig');
  argv.push(...prlimitArgv((await hostBinary('prlimit', hostPath))!, spec.limits));
  if (spec.sandbox === 'bwrap') {
    const bwrap = (await hostBinary('bwrap', hostPath))!;
    argv.push(
      ...(await bwrapArgv(bwrap, {
        workDir,
        toolDir: spec.toolDir,
        commandPath: resolved.path,
        network: spec.network,
      })),
    );
    sandbox.push('bwrap');
    if (!spec.network) sandbox.push('no-network');
  }
  argv.push(resolved.path, ...args);
  return { plan: { file: argv[0]!, args: argv.slice(1), env, cwd: workDir, user, sandbox } };
}
