// Compose the argv, env, cwd and identity of one stdio MCP server: setpriv → prlimit(--data) → [bwrap] → command.
// The same jail as subprocess tools (launch-plan.ts), for a process that lives as long as the agent.
import { ERR_MCP_START_FAILED } from '../errors.js';
import { bwrapArgv, isolationArgv } from '../sandbox/bwrap.js';
import { resolveCommand } from '../sandbox/find-executable.js';
import { checkSandbox, hostBinary, wrapperOf, type LaunchPlan } from '../sandbox/launch-plan.js';
import { prlimitArgv } from '../sandbox/rlimits.js';
import { effectiveToolUser, sandboxUser } from '../sandbox/sandbox-user.js';
import { toolEnv } from '../sandbox/tool-env.js';
import type { McpEnvVar, McpStdioSpec } from './types.js';

/**
 * The server's environment: each allow-listed `name` with the value of the agent's `from` (when set),
 * PATH (default unless given), HOME and TMPDIR = its private work dir. Nothing else of the agent's.
 */
export function mcpEnv(
  vars: readonly McpEnvVar[],
  source: NodeJS.ProcessEnv,
  workDir: string,
): Record<string, string> {
  const renamed: NodeJS.ProcessEnv = {};
  for (const v of vars) if (source[v.from] !== undefined) renamed[v.name] = source[v.from];
  return toolEnv(
    vars.map((v) => v.name),
    renamed,
    workDir,
  );
}

function startFailed(server: string, reason: string, cause?: unknown): Error {
  return new ERR_MCP_START_FAILED({ server, reason }, cause === undefined ? undefined : { cause });
}

/** The mechanisms that confine the server, for its start log line. */
const BASE_MECHANISMS = ['process-group', 'env-allowlist', 'private-home', 'rlimit'];

/**
 * Plan the launch of `spec` (server `server`) with `workDir` as its private HOME/TMPDIR (and cwd when it
 * has none). Throws AGENT_ERR_MCP_START_FAILED (cause: the sandbox or spawn error) when prlimit, or a bwrap
 * the spec needs, is unavailable (fail closed), or the command cannot be run by the server's user.
 */
export async function planMcpLaunch(
  server: string,
  spec: McpStdioSpec,
  agentEnv: NodeJS.ProcessEnv,
  workDir: string,
  hostPath: string | undefined = process.env.PATH,
): Promise<LaunchPlan> {
  const unavailable = await checkSandbox({ ...spec, tool: server }, hostPath);
  if (unavailable) throw startFailed(server, unavailable.message, unavailable);
  const env = mcpEnv(spec.env, agentEnv, workDir);
  const user = sandboxUser(spec.runAs);
  const resolved = await resolveCommand(spec.command, env.PATH!, effectiveToolUser(spec.runAs));
  if ('code' in resolved)
    throw startFailed(server, `cannot run ${spec.command}: ${resolved.code}: ${resolved.reason}`);
  const cwd = spec.cwd ?? workDir;
  const sandbox = [...BASE_MECHANISMS];
  if (user) sandbox.push('uid-drop');
  const setpriv = await hostBinary('setpriv', hostPath, spec.runAs);
  const argv: string[] = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--'] : [];
  if (setpriv) sandbox.push('pdeathsig');
  const prlimit = (await hostBinary('prlimit', hostPath, spec.runAs))!;
  argv.push(...prlimitArgv(prlimit, spec.limits, { memory: 'data' }));
  const wrapper = wrapperOf(spec, user);
  if (wrapper !== 'none') {
    const bwrap = (await hostBinary('bwrap', hostPath, spec.runAs))!;
    if (wrapper === 'bwrap') {
      argv.push(
        ...(await bwrapArgv(bwrap, {
          workDir,
          toolDir: spec.pluginDir,
          commandPath: resolved.path,
          readOnlyPaths: spec.readOnlyPaths,
          writablePaths: spec.writablePaths,
          ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
          network: spec.network,
        })),
      );
      sandbox.push('bwrap');
      if (!spec.network) sandbox.push('no-network');
    } else {
      argv.push(...isolationArgv(bwrap, workDir, cwd));
      sandbox.push('pid-namespace', 'read-only-fs');
    }
  }
  argv.push(resolved.path, ...spec.args);
  return { file: argv[0]!, args: argv.slice(1), env, cwd, user, sandbox };
}
