// The environment a tool subprocess gets: only allow-listed variables, never the agent's own env.

/** PATH for tools that are not allowed the caller's PATH. */
export const DEFAULT_TOOL_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * Copy the `allow`ed names that are set in `source`; add PATH (DEFAULT_TOOL_PATH) when not allowed or
 * unset; HOME and TMPDIR always point at the call's private work dir.
 */
export function toolEnv(
  allow: readonly string[],
  source: NodeJS.ProcessEnv,
  workDir: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of allow) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= DEFAULT_TOOL_PATH;
  env.HOME = workDir;
  env.TMPDIR = workDir;
  return env;
}
