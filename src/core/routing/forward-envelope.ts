// A routed hop (protocol.md §9, docs/routing.md): the new v2 envelope for the agent a router chose — a
// new task id, the context and routing trace extended by this hop — serialized within max_message_bytes.
import { createHash } from 'node:crypto';

import type { EnvelopeV2 } from '../protocol/envelope.js';
import { fitText, sliceWhole } from '../pipeline/outbound.js';
import { inputTopic } from '../protocol/topics.js';
import { truncateUtf8 } from './decision.js';

/** steps_completed and routing_trace keep at most this many (the newest) entries. */
export const MAX_HISTORY_ENTRIES = 100;
/** A step's `action`: the first characters of the instruction this agent ran. */
export const MAX_ACTION_CHARS = 200;
/** A trace step's `reason` (the router's reasoning) is cut to this many UTF-8 bytes. */
export const MAX_REASON_BYTES = 1024;
/** The version routed envelopes carry. */
export const ROUTED_VERSION = '2.0';

type Context = NonNullable<EnvelopeV2['context']>;
type Trace = NonNullable<EnvelopeV2['routing_trace']>;

export interface RoutedHop {
  /** This agent's id (`from_agent`, the step's `agent_id`). */
  readonly self: string;
  /** The chosen agent (already checked routable). */
  readonly to: string;
  readonly instruction: string;
  /** This agent's output: the next task's `input`. */
  readonly output: string;
  /** The router's reasoning ('' when it gave none). */
  readonly reason: string;
  readonly maxBytes: number;
  /** Tests only. */
  readonly now?: () => Date;
}

export interface RoutedForward {
  readonly taskId: string;
  readonly topic: string;
  readonly payload: string;
}

/** The query the workflow answers: the context's, or (first hop) the task's own instruction. */
export function originalQuery(envelope: EnvelopeV2): string {
  return envelope.context?.original_query ?? envelope.instruction ?? '';
}

/** The context of the next hop: original_query kept, this step appended (newest 100 kept), count + 1. */
export function nextContext(envelope: EnvelopeV2, self: string, timestamp: string): Context {
  const steps = envelope.context?.steps_completed ?? [];
  const action = sliceWhole(envelope.instruction ?? '', MAX_ACTION_CHARS);
  return {
    original_query: originalQuery(envelope),
    steps_completed: [...steps, { agent_id: self, action, timestamp }].slice(-MAX_HISTORY_ENTRIES),
    iteration_count: (envelope.context?.iteration_count ?? 0) + 1,
  };
}

/**
 * The trace of the next hop. `step_number` is the hop's iteration_count after this hop (1 for the
 * first routed hop): stable whatever the caps dropped, unlike the trace's length.
 */
export function nextTrace(envelope: EnvelopeV2, hop: RoutedHop, timestamp: string): Trace {
  const trace = envelope.routing_trace ?? [];
  const step = {
    from_agent: hop.self,
    to_agent: hop.to,
    reason: truncateUtf8(hop.reason, MAX_REASON_BYTES),
    timestamp,
    step_number: (envelope.context?.iteration_count ?? 0) + 1,
  };
  return [...trace, step].slice(-MAX_HISTORY_ENTRIES);
}

interface Base {
  task_id: string;
  conversation_id: string;
  topic: string;
  instruction: string;
  version: string;
  context: Context;
  routing_trace: Trace;
}

const sizeOf = (base: Base, input: string): number => Buffer.byteLength(JSON.stringify({ ...base, input }));

/**
 * Shed what an envelope carries over from earlier hops (oldest history first, then the original query)
 * until the fields around `input` leave `reserve` bytes of `maxBytes` for it, or nothing is left to shed.
 */
function shed(base: Base, maxBytes: number, reserve: number): Base {
  let b = base;
  for (let round = 0; round < 64 && sizeOf(b, '') + reserve > maxBytes; round++) {
    const { steps_completed: steps, original_query: query } = b.context;
    const trace = b.routing_trace;
    if (steps.length > 1 || trace.length > 1) {
      b = {
        ...b,
        context: { ...b.context, steps_completed: steps.slice(Math.floor(steps.length / 2)) },
        routing_trace: trace.slice(Math.floor(trace.length / 2)),
      };
    } else if (query.length > 64) {
      b = {
        ...b,
        context: { ...b.context, original_query: truncateUtf8(query, Math.floor(query.length / 2)) },
      };
    } else break;
  }
  return b;
}

/**
 * The routed hop's task id: a UUID (version 5 layout) derived from the task that was routed. A hop is a
 * new task (a revisit is not a duplicate: its id comes from another task), yet the same task routed again
 * — redelivered after a crash between the forward and its acknowledgement — forwards under the same id,
 * which the next agent's dedupe store drops instead of running the hop twice.
 */
export function routedHopId(routedTaskId: string): string {
  const h = createHash('sha256').update(`agent2389/routed-hop/${routedTaskId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The envelope for `hop.to`'s canonical input topic. Within `maxBytes`: the output (input) is cut with
 * the §2 truncation marker; if what earlier hops carried leaves too little room, its oldest entries go first.
 */
export function routedForward(envelope: EnvelopeV2, hop: RoutedHop): RoutedForward {
  const timestamp = (hop.now?.() ?? new Date()).toISOString();
  const taskId = routedHopId(envelope.task_id);
  const topic = inputTopic(hop.to);
  const full: Base = {
    task_id: taskId,
    conversation_id: envelope.conversation_id,
    topic,
    instruction: hop.instruction,
    version: ROUTED_VERSION,
    context: nextContext(envelope, hop.self, timestamp),
    routing_trace: nextTrace(envelope, hop, timestamp),
  };
  const base = shed(full, hop.maxBytes, Math.min(1024, Math.floor(hop.maxBytes / 4)));
  const payload = fitText(hop.output, hop.maxBytes, (t) => JSON.stringify({ ...base, input: t }));
  return { taskId, topic, payload };
}
