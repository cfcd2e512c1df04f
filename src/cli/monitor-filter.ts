// What `agent2389 monitor` subscribes to for a --mode, narrowed by --agent-id / --conversation-id, and the
// matching check on each message (topic levels and payload fields).
import { isValidAgentId, conversationTopicProblem } from '../core/protocol/topics.js';
import { UsageError } from './build-envelope.js';
import type { ObservedMessage } from './observed-message.js';

export const MONITOR_MODES = ['all', 'availability', 'conversations', 'inputs', 'progress'] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];

export interface MonitorFilters {
  readonly agentId?: string | undefined;
  readonly conversationId?: string | undefined;
}

/** Validate --mode. */
export function parseMode(value: string): MonitorMode {
  const mode = MONITOR_MODES.find((m) => m === value);
  if (!mode) throw new UsageError(`--mode must be one of ${MONITOR_MODES.join(', ')}, got "${value}"`);
  return mode;
}

/** Validate --agent-id and --conversation-id: they become topic levels. */
export function checkFilters(filters: MonitorFilters): MonitorFilters {
  if (filters.agentId !== undefined && !isValidAgentId(filters.agentId)) {
    throw new UsageError(`--agent-id "${filters.agentId}" must match [a-zA-Z0-9._-]+`);
  }
  const conv = filters.conversationId;
  if (conv !== undefined) {
    const problem = conv.includes('/') ? 'must not contain /' : conversationTopicProblem(conv, '');
    if (problem !== undefined) throw new UsageError(`--conversation-id ${problem}`);
  }
  return filters;
}

/** The topic filters to subscribe to: as narrow as the filters allow (status topics carry no conversation). */
export function subscriptionTopics(mode: MonitorMode, filters: MonitorFilters): string[] {
  const agent = filters.agentId ?? '+';
  const topics: Record<Exclude<MonitorMode, 'all'>, string> = {
    availability: `/control/agents/${agent}/status`,
    inputs: `/control/agents/${agent}/input`,
    conversations:
      filters.conversationId === undefined && filters.agentId === undefined
        ? '/conversations/#'
        : `/conversations/${filters.conversationId ?? '+'}/${agent}`,
    progress: `/control/agents/${agent}/progress`,
  };
  return mode === 'all'
    ? [topics.availability, topics.inputs, topics.conversations, topics.progress]
    : [topics[mode]];
}

/**
 * True if `msg` passes the filters. --agent-id matches the agent of the topic (or the payload's
 * agent_id); --conversation-id matches the conversation of the topic or the payload's conversation_id,
 * so messages that belong to no conversation (status, config_reloaded…) are hidden by it.
 */
export function matchesFilters(msg: ObservedMessage, filters: MonitorFilters): boolean {
  if (filters.agentId !== undefined && msg.agentId !== filters.agentId) return false;
  if (filters.conversationId !== undefined && msg.conversationId !== filters.conversationId) return false;
  return true;
}
