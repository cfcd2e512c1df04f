// Topic names and canonicalization (PROTOCOL.md §1, FR-006, RULE-001).

/** The agent-id rule [RULE-001]. */
export const AGENT_ID_PATTERN = /^[a-zA-Z0-9._-]+$/;

/** True if `id` is a valid agent id. */
export function isValidAgentId(id: string): boolean {
  return AGENT_ID_PATTERN.test(id);
}

/** Canonical topic: exactly one leading `/`, no trailing `/`, runs of `/` collapsed [FR-006]. */
export function canonicalizeTopic(topic: string): string {
  // Fast path: most topics (every one we build) are canonical already.
  if (topic.length > 1 && topic[0] === '/' && !topic.endsWith('/') && !topic.includes('//')) return topic;
  const parts = topic.split('/').filter((p) => p.length > 0);
  return '/' + parts.join('/');
}

/** A conversation id must be non-empty and free of `+`, `#` and NUL (it becomes a topic level). */
export function isValidConversationId(id: string): boolean {
  return id.length > 0 && !hasWildcardOrNul(id);
}

/** True if `s` holds an MQTT wildcard (`+`, `#`) or NUL: unusable inside a topic we publish to. */
export function hasWildcardOrNul(s: string): boolean {
  return s.includes('+') || s.includes('#') || s.includes('\0');
}

export function inputTopic(agentId: string): string {
  return `/control/agents/${agentId}/input`;
}

export function statusTopic(agentId: string): string {
  return `/control/agents/${agentId}/status`;
}

export function progressTopic(agentId: string): string {
  return `/control/agents/${agentId}/progress`;
}

export function conversationTopic(conversationId: string, agentId: string): string {
  return canonicalizeTopic(`/conversations/${conversationId}/${agentId}`);
}
