// Which config file a command uses: the positional path, else AGENT_CONFIG.
import { UsageError } from './build-envelope.js';

export function configPath(positional: string | undefined): string {
  const path = positional ?? process.env.AGENT_CONFIG;
  if (!path)
    throw new UsageError('no config file: pass a path (agent2389 run agent.toml) or set AGENT_CONFIG');
  return path;
}
