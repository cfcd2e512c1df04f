// What `agent2389 monitor` sees: an inbound MQTT message classified by topic and payload, never throwing.
import { isPlainObject } from '../core/protocol/envelope.js';
import { canonicalizeTopic } from '../core/protocol/topics.js';

export type MessageKind = 'status' | 'task' | 'response' | 'error' | 'progress' | 'malformed';

/** The place a topic names: an agent's status/input/progress topic or a conversation topic. */
export type TopicArea =
  | { area: 'status' | 'input' | 'progress'; agentId: string }
  | { area: 'conversation'; conversationId: string; agentId: string };

export interface ObservedMessage {
  /** When this process received it. */
  readonly time: Date;
  readonly kind: MessageKind;
  readonly topic: string;
  readonly retained: boolean;
  readonly agentId?: string | undefined;
  readonly conversationId?: string | undefined;
  readonly taskId?: string | undefined;
  /** The payload as text (UTF-8). */
  readonly raw: string;
  /** The parsed JSON object; undefined for a malformed payload. */
  readonly body?: Record<string, unknown> | undefined;
  /** For `malformed`: what is wrong with it. */
  readonly problem?: string | undefined;
}

/** The JSON object `raw` holds, or undefined (not JSON, or JSON that is not an object). */
export function jsonObjectOf(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Which protocol topic `topic` is (after canonicalization), or undefined for any other topic. */
export function parseTopic(topic: string): TopicArea | undefined {
  const parts = canonicalizeTopic(topic).split('/').slice(1);
  if (parts.length === 4 && parts[0] === 'control' && parts[1] === 'agents') {
    const area = parts[3];
    if (area === 'status' || area === 'input' || area === 'progress') return { area, agentId: parts[2]! };
  }
  if (parts.length === 3 && parts[0] === 'conversations') {
    return { area: 'conversation', conversationId: parts[1]!, agentId: parts[2]! };
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

type Verdict = { kind: Exclude<MessageKind, 'malformed'> } | { problem: string };

/** The kind a well-formed JSON object on `area` has, or what is wrong with it. */
function kindOf(area: TopicArea | undefined, body: Record<string, unknown>): Verdict {
  switch (area?.area) {
    case 'status':
      return typeof body.status === 'string' ? { kind: 'status' } : { problem: 'no "status" field' };
    case 'input':
      return typeof body.task_id === 'string' ? { kind: 'task' } : { problem: 'no "task_id" field' };
    case 'progress':
      return typeof body.event === 'string' ? { kind: 'progress' } : { problem: 'no "event" field' };
    case 'conversation':
      if (typeof body.response === 'string') return { kind: 'response' };
      if (isPlainObject(body.error)) return { kind: 'error' };
      return { problem: 'neither a response nor an error' };
    default:
      return { problem: 'not a 2389 protocol topic' };
  }
}

/** Classify one message. Never throws: anything unexpected becomes `malformed` with the raw text kept. */
export function observe(
  msg: { topic: string; payload: Buffer; retain: boolean },
  time: Date,
): ObservedMessage {
  const raw = msg.payload.toString('utf8');
  const area = parseTopic(msg.topic);
  const base = {
    time,
    topic: msg.topic,
    retained: msg.retain,
    raw,
    agentId: area?.agentId,
    conversationId: area?.area === 'conversation' ? area.conversationId : undefined,
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ...base, kind: 'malformed', problem: raw.length === 0 ? 'empty payload' : 'not JSON' };
  }
  if (!isPlainObject(parsed)) return { ...base, kind: 'malformed', problem: 'not a JSON object' };
  const verdict = kindOf(area, parsed);
  const ids = {
    agentId: base.agentId ?? str(parsed.agent_id),
    conversationId: base.conversationId ?? str(parsed.conversation_id),
    taskId: str(parsed.task_id),
  };
  if ('problem' in verdict) return { ...base, ...ids, kind: 'malformed', problem: verdict.problem };
  return { ...base, ...ids, kind: verdict.kind, body: parsed };
}
