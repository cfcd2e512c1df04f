// What a probe subscribed to agents' inputs, progress and conversations saw of a routed conversation.
import { vi } from 'vitest';

import type { Probe } from './mqtt-probe.js';

/** The `event` progress events of `conversation`, from any agent. */
export function progressOf(probe: Probe, event: string, conversation: string): Record<string, unknown>[] {
  return probe
    .on('/control/agents/')
    .filter((m) => m.topic.endsWith('/progress'))
    .map((m) => m.json())
    .filter((e) => e.event === event && e.conversation_id === conversation);
}

/** Wait for `agent`'s `event` progress event of `conversation` (sent after the agent published its answer). */
export function waitForProgress(
  probe: Probe,
  event: string,
  conversation: string,
  agent: string,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  return vi.waitFor(
    () => {
      const found = progressOf(probe, event, conversation).find((e) => e.agent_id === agent);
      if (!found) throw new Error(`no ${event} from ${agent} in ${conversation}`);
      return found;
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

/** The tasks `agent`'s input topic carried for `conversation`. */
export function inputsOf(probe: Probe, agent: string, conversation: string): Record<string, unknown>[] {
  return probe
    .on(`/control/agents/${agent}/input`)
    .map((m) => m.json())
    .filter((e) => e.conversation_id === conversation);
}

/** The data of every routing_decision of `conversation`. */
export function decisionsOf(probe: Probe, conversation: string): Record<string, unknown>[] {
  return progressOf(probe, 'routing_decision', conversation).map((e) => e.data as Record<string, unknown>);
}
