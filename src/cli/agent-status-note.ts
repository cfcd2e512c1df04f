// Why a command may be waiting in vain: what the target agent's last status says, shared by
// `pipeline` and `inject --wait` for their timeout messages.
import type { AgentDirectory } from './agents-table.js';

/**
 * A note on `agent` when it is not plainly available: it never published a status on this broker
 * (not running, a typo, another broker), or its last status is not `available`. Undefined otherwise.
 */
export function agentStatusNote(directory: AgentDirectory, agent: string): string | undefined {
  const known = directory.list().find((a) => a.id === agent);
  if (!known) return `no agent \`${agent}\` has published a status on this broker — is it running?`;
  const status = String(known.status.status);
  return status === 'available' ? undefined : `its last status is ${status}`;
}
