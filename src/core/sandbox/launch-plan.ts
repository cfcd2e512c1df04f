// Compose the exact argv, env and identity of one tool call: setpriv → prlimit → [bwrap] → command.
import { ERR_SANDBOX_UNAVAILABLE, ERR_TOOL_SPAWN_FAILED } from '../errors.js';
import type { AgentError } from '../errors.js';
import { bwrapArgv, isolationArgv, probeBwrap } from './bwrap.js';
import { findExecutable, resolveCommand } from './find-executable.js';
import { prlimitArgv } from './rlimits.js';
import { effectiveToolUser, sandboxUser } from './sandbox-user.js';
import type { SandboxUser } from './sandbox-user.js';
import type { SubprocessSpec } from './subprocess-spec.js';
import { notExecutable } from './tool-access.js';
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
export function hostBinary(
  name: string,
  hostPath: string | undefined,
  runAs?: SandboxUser,
): Promise<string | undefined> {
  return findExecutable(name, hostPath, effectiveToolUser(runAs));
}

/**
 * The namespace wrapper a call runs in: `bwrap` when the tool asks for it; `isolation` (own PID namespace,
 * read-only host) when the tool would otherwise run as the agent's own user (the agent is not root, so
 * there is no uid drop) and the operator has not opted out; else none.
 */
export type Wrapper = 'bwrap' | 'isolation' | 'none';

/** What the sandbox checks need of a spec (an MCP server's stdio spec gives the same fields). */
export type SandboxNeeds = Pick<SubprocessSpec, 'tool' | 'sandbox' | 'isolateSameUser' | 'runAs'>;

export function wrapperOf(spec: Omit<SandboxNeeds, 'tool'>, user: SandboxUser | undefined): Wrapper {
  if (spec.sandbox === 'bwrap') return 'bwrap';
  return user === undefined && spec.isolateSameUser !== false ? 'isolation' : 'none';
}

/** Why a same-user tool cannot load, and the three ways out. */
function isolationUnavailable(tool: string, reason: string): AgentError {
  return new ERR_SANDBOX_UNAVAILABLE({
    tool,
    mechanism: 'pid-namespace',
    reason:
      `the agent is not root, so the tool would run as the agent's own user and could read its secrets ` +
      `(/proc/<pid>/environ) and signal it; bubblewrap isolates it, but ${reason}. Install bubblewrap, ` +
      `run the agent as root (tools then run as an unprivileged user), or set ` +
      `[sandbox] isolate_same_user_tools = false to accept the risk`,
  });
}

/** Verify what `spec` needs of the host, without running the tool: prlimit, and a working bwrap. */
export async function checkSandbox(
  spec: SandboxNeeds,
  hostPath: string | undefined,
): Promise<AgentError | undefined> {
  if (!(await hostBinary('prlimit', hostPath, spec.runAs)))
    return new ERR_SANDBOX_UNAVAILABLE({
      tool: spec.tool,
      mechanism: 'rlimit',
      reason: 'prlimit is not on PATH',
    });
  const user = sandboxUser(spec.runAs);
  const wrapper = wrapperOf(spec, user);
  if (wrapper === 'none') return undefined;
  const bwrap = await hostBinary('bwrap', hostPath, spec.runAs);
  const verdict = bwrap
    ? await probeBwrap(bwrap, user)
    : { ok: false as const, reason: 'bwrap is not on PATH' };
  if (verdict.ok) return undefined;
  if (wrapper === 'isolation') return isolationUnavailable(spec.tool, verdict.reason);
  return new ERR_SANDBOX_UNAVAILABLE({ tool: spec.tool, mechanism: 'bwrap', reason: verdict.reason });
}

/**
 * argv shape (each wrapper execs the next, so the tool keeps the spawned pid and its process group):
 *   [uid/gid drop by spawn] setpriv --pdeathsig KILL -- prlimit --cpu … -- [bwrap … --] /abs/command args…
 * setpriv is optional (omitted when absent); prlimit and, when a wrapper applies (wrapperOf), bwrap are
 * required (fail closed).
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
  const user = sandboxUser(spec.runAs);
  const resolved = await resolveCommand(spec.command, env.PATH!, effectiveToolUser(spec.runAs));
  if ('code' in resolved && resolved.code === 'EACCES')
    return { error: notExecutable(spec.tool, resolved.file ?? spec.command, resolved.reason, spec.runAs) };
  if ('code' in resolved)
    return {
      error: new ERR_TOOL_SPAWN_FAILED({
        tool: spec.tool,
        command: spec.command,
        reason: `${resolved.code}: ${resolved.reason}`,
      }),
    };
  const sandbox = [...BASE_MECHANISMS, 'rlimit'];
  if (user) sandbox.push('uid-drop');
  const setpriv = await hostBinary('setpriv', hostPath, spec.runAs);
  const argv: string[] = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--'] : [];
  if (setpriv) sandbox.push('pdeathsig');
  argv.push(...prlimitArgv((await hostBinary('prlimit', hostPath, spec.runAs))!, spec.limits));
  const wrapper = wrapperOf(spec, user);
  if (wrapper === 'bwrap') {
    const bwrap = (await hostBinary('bwrap', hostPath, spec.runAs))!;
    argv.push(
      ...(await bwrapArgv(bwrap, {
        workDir,
        toolDir: spec.toolDir,
        commandPath: resolved.path,
        readOnlyPaths: spec.readOnlyPaths ?? [],
        network: spec.network,
      })),
    );
    sandbox.push('bwrap');
    if (!spec.network) sandbox.push('no-network');
  } else if (wrapper === 'isolation') {
    argv.push(...isolationArgv((await hostBinary('bwrap', hostPath, spec.runAs))!, workDir));
    sandbox.push('pid-namespace', 'read-only-fs');
  }
  argv.push(resolved.path, ...args);
  return { plan: { file: argv[0]!, args: argv.slice(1), env, cwd: workDir, user, sandbox } };
}
