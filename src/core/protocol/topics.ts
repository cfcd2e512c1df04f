// Topic names and canonicalization (docs/protocol.md §1, FR-006, RULE-001).

/** The agent-id rule [RULE-001]. */
export const AGENT_ID_PATTERN = /^[a-zA-Z0-9._-]+$/;

/** MQTT prefixes a topic with its UTF-8 length in 16 bits: no topic can be longer. */
export const MAX_TOPIC_BYTES = 65_535;

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

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;

const codePoint = (c: number): string => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/** Where a wildcard may stand in a topic filter: a whole level, and `#` only as the last one. */
function wildcardProblem(s: string, i: number, c: number): string | undefined {
  const before = i === 0 ? SLASH : s.charCodeAt(i - 1);
  const after = i + 1 === s.length ? SLASH : s.charCodeAt(i + 1);
  if (before !== SLASH || after !== SLASH) return 'has a wildcard (+ or #) that is not a whole level';
  if (c === HASH && i + 1 !== s.length) return 'has # before its last level';
  return undefined;
}

/**
 * One pass over `s` for the MQTT string rules (MQTT 5 §1.5.4, §4.7): well-formed UTF-16 (so its
 * UTF-8 is well-formed), no NUL, no control character (U+0001–U+001F, U+007F–U+009F), no
 * noncharacter (U+FDD0–U+FDEF, U+xFFFE/U+xFFFF), at most 65 535 UTF-8 bytes; wildcards only where
 * `filter` allows them. Brokers close the connection on any of these, so nothing of the kind may be sent.
 */
function topicProblem(s: string, filter: boolean): string | undefined {
  if (s.length === 0) return 'is empty';
  // Each UTF-16 unit is at least one UTF-8 byte: a longer string cannot fit, and is not scanned.
  if (s.length > MAX_TOPIC_BYTES) return `is longer than ${MAX_TOPIC_BYTES} bytes`;
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      bytes += 1;
      if (c === 0) return 'contains NUL';
      if (c <= 0x1f || c === 0x7f) return `contains the control character ${codePoint(c)}`;
      if (c === PLUS || c === HASH) {
        if (!filter) return 'contains a wildcard (+ or #)';
        const problem = wildcardProblem(s, i, c);
        if (problem) return problem;
      }
    } else if (c < 0x800) {
      bytes += 2;
      if (c <= 0x9f) return `contains the control character ${codePoint(c)}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const low = c <= 0xdbff ? s.charCodeAt(i + 1) : NaN; // NaN past the end
      if (!(low >= 0xdc00 && low <= 0xdfff)) return `contains a lone surrogate ${codePoint(c)}`;
      const cp = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
      if ((cp & 0xfffe) === 0xfffe) return `contains the noncharacter ${codePoint(cp)}`;
      bytes += 4;
      i++;
    } else {
      bytes += 3;
      if ((c >= 0xfdd0 && c <= 0xfdef) || c >= 0xfffe) return `contains the noncharacter ${codePoint(c)}`;
    }
  }
  return bytes > MAX_TOPIC_BYTES ? `is longer than ${MAX_TOPIC_BYTES} bytes` : undefined;
}

/** Why `topic` cannot be published to (§1: the MQTT rules for topic names), or undefined if it can. */
export function topicNameProblem(topic: string): string | undefined {
  return topicProblem(topic, false);
}

/** Why `filter` cannot be subscribed to (topic-name rules, but `+` and `#` as whole levels), or undefined. */
export function topicFilterProblem(filter: string): string | undefined {
  return topicProblem(filter, true);
}

/** Why `conversationId` cannot name `agentId`'s conversation topic (§1), or undefined if it can. */
export function conversationTopicProblem(conversationId: string, agentId: string): string | undefined {
  if (conversationId.length === 0) return 'is empty';
  if (conversationId.length > MAX_TOPIC_BYTES) return `is longer than ${MAX_TOPIC_BYTES} bytes`;
  const problem = topicNameProblem(conversationTopic(conversationId, agentId));
  return problem === undefined ? undefined : `makes a conversation topic that ${problem}`;
}

export function inputTopic(agentId: string): string {
  return `/control/agents/${agentId}/input`;
}

export function statusTopic(agentId: string): string {
  return `/control/agents/${agentId}/status`;
}

/** One replica's own retained status (our extension, docs/scaling.md): `/control/agents/{id}/replicas/{replica}/status`. */
export function replicaStatusTopic(agentId: string, replicaId: string): string {
  return `/control/agents/${agentId}/replicas/${replicaId}/status`;
}

export function progressTopic(agentId: string): string {
  return `/control/agents/${agentId}/progress`;
}

export function conversationTopic(conversationId: string, agentId: string): string {
  return canonicalizeTopic(`/conversations/${conversationId}/${agentId}`);
}
