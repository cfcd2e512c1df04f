// Task envelope v1 / v2 schemas (docs/protocol.md §3.1, §3.2; FR-007, FR-008).
import { z } from 'zod';

import { canonicalizeTopic, conversationTopicProblem, topicNameProblem } from './topics.js';

/** Any UUID version, canonical 8-4-4-4-12 hex form. */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** True if `v` is a task id of the §3.1 form: a UUID (36 characters, checked before the pattern). */
export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && v.length === 36 && UUID_PATTERN.test(v);
}

export interface NextTask {
  topic: string;
  instruction?: string | null | undefined;
  input?: unknown;
  next?: NextTask | null | undefined;
}

/** A topic we may publish to: non-empty, and its canonical form a valid MQTT topic name (§1). */
const topicString = z.string().superRefine((s, ctx) => {
  const problem = s.length === 0 ? 'must be a non-empty topic' : topicNameProblem(canonicalizeTopic(s));
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const nextTaskSchema: z.ZodType<NextTask> = z.lazy(() =>
  z.object({
    topic: topicString,
    instruction: z.string().nullish(),
    input: z.unknown().optional(),
    next: nextTaskSchema.nullish(),
  }),
);

/** Usable in a conversation topic (§1); parseEnvelope checks the exact topic once the agent id is known. */
const conversationId = z.string().superRefine((s, ctx) => {
  const problem = conversationTopicProblem(s, '');
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const v1Fields = {
  task_id: z.string().refine(isUuid, 'must be a UUID'),
  conversation_id: conversationId,
  topic: topicString,
  instruction: z.string().nullish(),
  input: z.unknown().optional(),
  next: nextTaskSchema.nullish(),
};

export const envelopeV1Schema = z.object(v1Fields);

/**
 * An RFC 3339 date-time as producers write it: `Z` or a numeric offset (`+00:00`), and any fraction
 * (the Rust implementation sends nanoseconds) all pass (§3.2). Anchored, no nested quantifiers: linear.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,32})?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const timestampString = z.string().regex(RFC3339, 'must be an RFC 3339 date-time');

/** An optional field where JSON `null` means absent (the Rust implementation's serde emits `null`, §3.2). */
function nullAsAbsent<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === null ? undefined : v), schema.optional());
}

export const v2ContextSchema = z.object({
  original_query: z.string(),
  steps_completed: z.array(
    z.object({ agent_id: z.string(), action: z.string(), timestamp: timestampString }),
  ),
  // Absent in a Rust-built context means 0 (§3.2); present, it must be a non-negative integer.
  iteration_count: z.number().int().min(0).default(0),
});

export const routingStepSchema = z.object({
  from_agent: z.string(),
  to_agent: z.string(),
  reason: z.string(),
  timestamp: timestampString,
  step_number: z.number().int().min(0),
});

export const envelopeV2Schema = z.object({
  ...v1Fields,
  version: z.string().startsWith('2'),
  context: nullAsAbsent(v2ContextSchema),
  routing_trace: nullAsAbsent(z.array(routingStepSchema)),
});

export type EnvelopeV1 = z.infer<typeof envelopeV1Schema>;
export type EnvelopeV2 = z.infer<typeof envelopeV2Schema>;
export type TaskEnvelope = (EnvelopeV1 & { version?: undefined }) | EnvelopeV2;

/** A string `version` starting with `2` means v2; anything else is v1 (§3.2). */
export function isV2(raw: Record<string, unknown>): boolean {
  return typeof raw.version === 'string' && raw.version.startsWith('2');
}

/** Number of nested `next` objects; a task with no `next` has depth 0 (§4 step 5). */
export function pipelineDepth(raw: unknown): number {
  let depth = 0;
  let node: unknown = raw;
  while (isPlainObject(node) && isPlainObject(node.next)) {
    depth++;
    node = node.next;
  }
  return depth;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type ParseResult = { ok: true; envelope: TaskEnvelope } | { ok: false; problems: string[] };

/**
 * Validate a parsed JSON object as a v1 or v2 envelope; unknown fields are ignored [FR-008]. With
 * `agentId`, the conversation topic `/conversations/{conversation_id}/{agentId}` must be valid too (§1).
 */
export function parseEnvelope(raw: Record<string, unknown>, agentId?: string): ParseResult {
  const result = isV2(raw) ? envelopeV2Schema.safeParse(raw) : envelopeV1Schema.safeParse(raw);
  if (result.success) {
    const envelope = result.data as TaskEnvelope;
    const problem =
      agentId === undefined ? undefined : conversationTopicProblem(envelope.conversation_id, agentId);
    if (problem !== undefined) return { ok: false, problems: [`conversation_id: ${problem}`] };
    return { ok: true, envelope };
  }
  return {
    ok: false,
    problems: result.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : '(envelope)'}: ${i.message}`,
    ),
  };
}
