// The agent's private data directory: where built-in file tools are confined by default.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

import type { AgentConfig } from './schema.js';

/**
 * `data_dir` from agent.toml (already absolute when loaded from a file), otherwise
 * `$XDG_DATA_HOME/agent2389/<agent id>` (XDG_DATA_HOME defaults to `~/.local/share`).
 */
export function resolveDataDir(
  config: Pick<AgentConfig, 'data_dir' | 'agent'>,
  env: NodeJS.ProcessEnv,
): string {
  if (config.data_dir !== undefined) return resolve(config.data_dir);
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'agent2389', config.agent.id);
}
