// Steps 2–6 of docs/protocol.md §4: retained, topic, duplicate, depth, schema. Pure apart from `claim`.
import {
  type TaskEnvelope,
  isPlainObject,
  isUuid,
  parseEnvelope,
  pipelineDepth,
} from '../protocol/envelope.js';
import { MAX_ENVELOPE_NESTING, nestingExceeds } from '../protocol/envelope-nesting.js';
import type { WireErrorCode } from '../protocol/messages.js';
import { canonicalizeTopic, conversationTopicProblem } from '../protocol/topics.js';
import type { InboundMessage } from '../transport/transport.js';

export interface IntakeSettings {
  /** This agent's id: its conversation topics are `/conversations/{conversation_id}/{agentId}`. */
  agentId: string;
  /** Canonical input topic of this agent. */
  inputTopic: string;
  /**
   * The filter subscribed to: the input topic, or for a replica ([mqtt] shared_group) the MQTT 5 shared
   * subscription `$share/{group}/{input topic}` — `$share/g//control/agents/{id}/input`, since the
   * topic itself starts with `/`.
   */
  subscription: string;
  maxPipelineDepth: number;
  maxMessageBytes: number;
}

/**
 * Step 4's question [FR-010]: true if this task id is new to this agent (it is claimed for this
 * message), false if it is a duplicate. May reject (the dedupe store is unreachable): the intake rejects too.
 */
export type ClaimTask = (taskId: string) => Promise<boolean>;

/** Where an error about a task can be published, when the envelope gives a usable address. */
export interface ReplyAddress {
  taskId: string;
  conversationId: string;
}

export type IntakeResult =
  | { kind: 'discard'; reason: string }
  | { kind: 'reject'; code: WireErrorCode; message: string; reply: ReplyAddress | undefined }
  | { kind: 'accept'; envelope: TaskEnvelope; depth: number };

/** Longest task_id echoed in an error: a malformed id is what the error may be about, so not only UUIDs. */
const MAX_REPLY_TASK_ID_CHARS = 200;

/** The address of an error about this task: only a bounded task_id, and only a valid conversation topic (§1). */
function replyAddress(taskId: unknown, conversationId: unknown, agentId: string): ReplyAddress | undefined {
  if (typeof taskId !== 'string' || taskId.length === 0 || taskId.length > MAX_REPLY_TASK_ID_CHARS)
    return undefined;
  if (typeof conversationId !== 'string' || conversationTopicProblem(conversationId, agentId) !== undefined)
    return undefined;
  return { taskId, conversationId };
}

const FIELD_SCAN_BYTES = 65_536;

/** Pull a top-level string field out of an oversized payload without parsing it all. */
function scanStringField(text: string, field: string): string | undefined {
  const m = new RegExp(`"${field}"\\s*:\\s*"((?:[^"\\\\]|\\\\.){0,256})"`).exec(text);
  if (!m?.[1]) return undefined;
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return undefined;
  }
}

/** Payloads up to this size are parsed to find the reply address exactly; larger ones are scanned. */
const OVERSIZED_PARSE_LIMIT = 16 * 1024 * 1024;

/** Read topic, task_id and conversation_id of an oversized payload (top-level fields only when parseable). */
function oversizedFields(payload: Buffer): Record<string, unknown> {
  if (payload.length <= OVERSIZED_PARSE_LIMIT) {
    try {
      const raw: unknown = JSON.parse(payload.toString('utf8'));
      return isPlainObject(raw) ? raw : {};
    } catch {
      // not JSON: fall through to the scan (best effort)
    }
  }
  const head = payload.subarray(0, FIELD_SCAN_BYTES).toString('utf8');
  return {
    topic: scanStringField(head, 'topic'),
    task_id: scanStringField(head, 'task_id'),
    conversation_id: scanStringField(head, 'conversation_id'),
  };
}

function oversized(msg: InboundMessage, s: IntakeSettings): IntakeResult {
  const fields = oversizedFields(msg.payload);
  if (typeof fields.topic === 'string' && canonicalizeTopic(fields.topic) !== s.inputTopic) {
    return { kind: 'discard', reason: 'topic mismatch' };
  }
  const reply = replyAddress(fields.task_id, fields.conversation_id, s.agentId);
  const message = `payload of ${msg.payload.length} bytes exceeds the limit of ${s.maxMessageBytes} bytes`;
  return { kind: 'reject', code: 'invalid_input', message, reply };
}

/** Run steps 2–6 on one inbound message. Rejects only when `claim` does. */
export async function intake(
  msg: InboundMessage,
  s: IntakeSettings,
  claim: ClaimTask,
): Promise<IntakeResult> {
  if (msg.retain) return { kind: 'discard', reason: 'retained message' }; // step 2 [FR-005]
  if (msg.payload.length > s.maxMessageBytes) return oversized(msg, s);
  let raw: unknown;
  try {
    raw = JSON.parse(msg.payload.toString('utf8'));
  } catch {
    return { kind: 'discard', reason: 'payload is not JSON' }; // step 3
  }
  if (!isPlainObject(raw)) return { kind: 'discard', reason: 'payload is not a JSON object' };
  // Step 3 compares the canonical envelope topic with the canonical MQTT topic (which must be ours).
  const topic = typeof raw.topic === 'string' ? canonicalizeTopic(raw.topic) : undefined;
  if (topic !== s.inputTopic || canonicalizeTopic(msg.topic) !== topic) {
    return { kind: 'discard', reason: 'topic mismatch' }; // step 3 [FR-014]
  }
  // Step 4 [FR-010]: only an id of the §3.1 form is claimed (a task with any other id is rejected at
  // step 6), so the store holds 36-character ids, whatever size of task_id the wire carries.
  if (isUuid(raw.task_id) && !(await claim(raw.task_id))) {
    return { kind: 'discard', reason: 'duplicate task_id' };
  }
  const reply = replyAddress(raw.task_id, raw.conversation_id, s.agentId);
  const depth = pipelineDepth(raw); // step 5 [FR-013]
  if (depth > s.maxPipelineDepth) {
    const message = `pipeline depth ${depth} exceeds the limit of ${s.maxPipelineDepth}`;
    return { kind: 'reject', code: 'pipeline_depth_exceeded', message, reply };
  }
  // Step 6, before the schema: nothing recursive may see hostile nesting (FR-011).
  if (nestingExceeds(raw, MAX_ENVELOPE_NESTING)) {
    const message = `invalid task envelope: arrays and objects nested deeper than ${MAX_ENVELOPE_NESTING} levels`;
    return { kind: 'reject', code: 'invalid_input', message, reply };
  }
  const parsed = parseEnvelope(raw, s.agentId); // step 6
  if (!parsed.ok) {
    return {
      kind: 'reject',
      code: 'invalid_input',
      message: `invalid task envelope: ${parsed.problems.join('; ')}`,
      reply,
    };
  }
  return { kind: 'accept', envelope: parsed.envelope, depth };
}
