// Read a status message (docs/protocol.md §3.3) off the wire for discovery: every byte is hostile, so
// sizes, list lengths and string lengths are bounded, and nothing here throws.
import { isPlainObject } from '../protocol/envelope.js';
import { isValidAgentId } from '../protocol/topics.js';

/** A status message is a few hundred bytes: a larger payload is broken or hostile and is not parsed. */
export const MAX_STATUS_BYTES = 64 * 1024;
/** Longest agent id kept (RULE-001 sets no length; a topic level could be 65 535 bytes). */
export const MAX_AGENT_ID_CHARS = 256;
/** At most this many capabilities and tools are kept per agent; the rest of a longer list is dropped. */
export const MAX_CAPABILITIES = 64;
export const MAX_TOOLS = 256;
/** A capability or tool name longer than this is dropped (it matches nothing anyone asks for). */
export const MAX_NAME_CHARS = 256;
/** Longer descriptions and versions are cut. */
export const MAX_DESCRIPTION_CHARS = 1024;
export const MAX_VERSION_CHARS = 64;

/** What discovery keeps of one status message. */
export interface AgentStatus {
  readonly id: string;
  readonly status: 'available' | 'unavailable';
  readonly description?: string;
  readonly capabilities: readonly string[];
  readonly tools: readonly string[];
  readonly load: number;
  readonly version: string;
}

export type StatusReading =
  | { readonly kind: 'status'; readonly status: AgentStatus }
  /** An empty payload: the retained status was cleared (the agent is gone). */
  | { readonly kind: 'cleared'; readonly id: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** The filter every agent subscribes to for discovery (replica status topics have more levels: not matched). */
export const AGENT_STATUS_FILTER = '/control/agents/+/status';

const PREFIX = '/control/agents/';
const SUFFIX = '/status';

/**
 * The agent id of exactly `/control/agents/{id}/status` (what `/control/agents/+/status` delivers),
 * if it is a valid id [RULE-001] of bounded length; undefined for anything else.
 */
export function statusTopicAgent(topic: string): string | undefined {
  if (topic.length > PREFIX.length + MAX_AGENT_ID_CHARS + SUFFIX.length) return undefined;
  if (!topic.startsWith(PREFIX) || !topic.endsWith(SUFFIX)) return undefined;
  const id = topic.slice(PREFIX.length, topic.length - SUFFIX.length);
  return id.length > 0 && isValidAgentId(id) ? id : undefined;
}

/** True for a topic `/control/agents/+/status` matches (one level between, whatever it is). */
export function isAgentStatusTopic(topic: string): boolean {
  if (!topic.startsWith(PREFIX) || !topic.endsWith(SUFFIX)) return false;
  const level = topic.slice(PREFIX.length, topic.length - SUFFIX.length);
  return level.length > 0 && !level.includes('/');
}

type Names = { ok: true; names: string[] } | { ok: false };

/** A list of names: absent = []; not an array of strings = invalid; at most `max` kept, over-long ones dropped. */
function names(v: unknown, max: number): Names {
  if (v === undefined) return { ok: true, names: [] };
  if (!Array.isArray(v)) return { ok: false };
  const kept: string[] = [];
  for (const item of v as unknown[]) {
    if (typeof item !== 'string') return { ok: false };
    if (kept.length < max && item.length > 0 && item.length <= MAX_NAME_CHARS) kept.push(item);
  }
  return { ok: true, names: kept };
}

const invalid = (reason: string): StatusReading => ({ kind: 'invalid', reason });

/** An optional string field, cut to `max`; `null` if present and not a string. */
function text(v: unknown, max: number): string | undefined | null {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v.slice(0, max) : null;
}

/** The fields of a parsed status object, checked against the topic's agent `id`. */
function readFields(raw: Record<string, unknown>, id: string): StatusReading {
  // The topic names the agent; a payload claiming another one is not trusted.
  if (raw.agent_id !== id) return invalid('agent_id does not match the topic');
  const status = raw.status;
  if (status !== 'available' && status !== 'unavailable')
    return invalid('status is not available/unavailable');
  const load = raw.load ?? (status === 'unavailable' ? 0 : undefined);
  if (typeof load !== 'number' || !Number.isFinite(load) || load < 0)
    return invalid('load is not a number ≥ 0');
  const capabilities = names(raw.capabilities, MAX_CAPABILITIES);
  const tools = names(raw.tools, MAX_TOOLS);
  if (!capabilities.ok || !tools.ok) return invalid('capabilities or tools is not a list of strings');
  const description = text(raw.description, MAX_DESCRIPTION_CHARS);
  const version = text(raw.version, MAX_VERSION_CHARS);
  if (description === null || version === null) return invalid('description or version is not a string');
  return {
    kind: 'status',
    status: {
      id,
      status,
      ...(description !== undefined ? { description } : {}),
      capabilities: capabilities.names,
      tools: tools.names,
      load,
      version: version ?? '',
    },
  };
}

/** Read one message on a status topic. Never throws: anything unusable is `invalid` with the reason. */
export function readStatusMessage(topic: string, payload: Uint8Array): StatusReading {
  const id = statusTopicAgent(topic);
  if (id === undefined) return invalid('not the status topic of a valid agent id');
  if (payload.length === 0) return { kind: 'cleared', id };
  if (payload.length > MAX_STATUS_BYTES) return invalid(`payload over ${MAX_STATUS_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return invalid('payload is not JSON');
  }
  return isPlainObject(raw) ? readFields(raw, id) : invalid('payload is not a JSON object');
}
