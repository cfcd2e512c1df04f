// Steps 8–9: the forwarded envelope, the response and the error message, each within the size limit.
import type { TaskEnvelope } from '../protocol/envelope.js';
import type { ErrorMessage, ResponseMessage, WireErrorCode } from '../protocol/messages.js';
import { redactErrorMessage } from '../protocol/redact.js';
import { canonicalizeTopic } from '../protocol/topics.js';

const TRUNCATION_MARKER = '\n…[truncated by agent2389: response exceeded max_message_bytes]';

/** The first `n` UTF-16 units of `text`, without splitting a surrogate pair. */
export function sliceWhole(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/** Cut `text` so that `wrap(text)` serializes within `maxBytes`, appending a marker [§2]. */
export function fitText(text: string, maxBytes: number, wrap: (t: string) => string): string {
  const payload = wrap(text);
  if (Buffer.byteLength(payload) <= maxBytes) return payload;
  const overhead = Buffer.byteLength(wrap('')) + Buffer.byteLength(JSON.stringify(TRUNCATION_MARKER));
  let budget = Math.max(0, maxBytes - overhead);
  // JSON escaping can expand characters; shrink until it fits (at worst only the marker is left).
  for (;;) {
    const truncated = wrap(sliceWhole(text, budget) + TRUNCATION_MARKER);
    if (budget === 0 || Buffer.byteLength(truncated) <= maxBytes) return truncated;
    budget = Math.floor(budget * 0.9);
  }
}

export function responsePayload(taskId: string, response: string, maxBytes: number): string {
  return fitText(response, maxBytes, (t) =>
    JSON.stringify({ task_id: taskId, response: t } satisfies ResponseMessage),
  );
}

export function errorPayload(taskId: string, code: WireErrorCode, message: string): string {
  const msg: ErrorMessage = { task_id: taskId, error: { code, message: redactErrorMessage(message) } };
  return JSON.stringify(msg);
}

export interface ForwardMessage {
  topic: string;
  payload: string;
}

/** The next hop's envelope [FR-014]: same ids, topic/instruction/next from `next`, input = response. */
export function forwardMessage(envelope: TaskEnvelope, response: string, maxBytes: number): ForwardMessage {
  const next = envelope.next!;
  const topic = canonicalizeTopic(next.topic);
  const base: Record<string, unknown> = {
    task_id: envelope.task_id,
    conversation_id: envelope.conversation_id,
    topic,
    instruction: next.instruction ?? null,
    input: response,
    next: next.next ?? null,
  };
  if (envelope.version !== undefined) {
    base.version = envelope.version;
    if (envelope.context) base.context = envelope.context;
    if (envelope.routing_trace) base.routing_trace = envelope.routing_trace;
  }
  const payload = fitText(response, maxBytes, (t) => JSON.stringify({ ...base, input: t }));
  return { topic, payload };
}
