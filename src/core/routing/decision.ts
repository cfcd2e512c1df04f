// The router contract (request, decision, Router), validation of a decision from hostile JSON or LLM
// text, and the JSON Schema the llm router asks for.
import { ERR_ROUTER_BAD_DECISION } from '../errors.js';
import { isValidAgentId } from '../protocol/topics.js';
import { findJsonObject } from './json-in-text.js';

export type RouterKind = 'llm' | 'gatekeeper';

/** What a router is asked (the Rust gatekeeper's request body, field for field). */
export interface RoutingRequest {
  original_query: string;
  workflow_history: { agent_id: string; action: string; timestamp: string }[];
  current_output: string;
  available_agents: { agent_id: string; capabilities: string[]; load: number }[];
  iteration_count: number;
}

/** A router's answer. When `workflow_complete` is false, `next_agent` and `next_instruction` are set. */
export interface RoutingDecision {
  workflow_complete: boolean;
  reasoning?: string;
  next_agent?: string;
  next_instruction?: string;
}

export interface Router {
  readonly kind: RouterKind;
  /** A valid decision, or a coded router error; rejects with the signal's reason once it aborts. */
  decide(req: RoutingRequest, signal: AbortSignal): Promise<RoutingDecision>;
}

/** Longer reasoning is cut (it only explains); a longer instruction is an invalid decision. */
export const MAX_REASONING_BYTES = 4096;
export const MAX_INSTRUCTION_BYTES = 65_536;
export const MAX_AGENT_ID_CHARS = 1024;
/** decisionFromText looks at no more text than this. */
export const MAX_DECISION_TEXT_CHARS = 262_144;

/** The name under which structured output is asked for (OpenAI json_schema name, Anthropic tool name). */
export const DECISION_SCHEMA_NAME = 'routing_decision';

/** OpenAI strict-mode compatible: every property required, optional ones nullable, no extra keys. */
export const DECISION_JSON_SCHEMA: Readonly<Record<string, unknown>> = Object.freeze({
  type: 'object',
  properties: {
    workflow_complete: {
      type: 'boolean',
      description: 'true if the current output answers the original query; false to forward it',
    },
    reasoning: { type: 'string', description: 'one or two sentences: why' },
    next_agent: {
      type: ['string', 'null'],
      description: 'when forwarding: the agent_id of one of the available agents; otherwise null',
    },
    next_instruction: {
      type: ['string', 'null'],
      description: 'when forwarding: what that agent should do with the current output; otherwise null',
    },
  },
  required: ['workflow_complete', 'reasoning', 'next_agent', 'next_instruction'],
  additionalProperties: false,
});

function bad(field: string, problem: string, router: RouterKind | undefined): never {
  throw new ERR_ROUTER_BAD_DECISION(router === undefined ? { field, problem } : { router, field, problem });
}

/** `s` cut to at most `maxBytes` of UTF-8 (never inside a character), marked with `…` when cut. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  // maxBytes characters hold at least maxBytes bytes: never encode more of a huge string than that.
  const head = Buffer.from(s.slice(0, maxBytes)).subarray(0, maxBytes - 3); // room for the 3-byte `…`
  return `${new TextDecoder().decode(head, { stream: true })}…`;
}

/** A string field; null or missing = undefined; any other type is an invalid decision. */
function optionalString(
  obj: Record<string, unknown>,
  field: string,
  router: RouterKind | undefined,
): string | undefined {
  const value = Object.hasOwn(obj, field) ? obj[field] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') bad(field, 'must be a string or null', router);
  return value;
}

/**
 * Validate a decision from untrusted JSON: nulls count as absent, extra keys are ignored, and a complete
 * decision ignores next_agent/next_instruction. Throws AGENT_ERR_ROUTER_BAD_DECISION.
 */
export function parseDecision(value: unknown, router?: RouterKind): RoutingDecision {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    bad('', 'must be a JSON object', router);
  const obj = value as Record<string, unknown>;
  const complete = Object.hasOwn(obj, 'workflow_complete') ? obj.workflow_complete : undefined;
  if (typeof complete !== 'boolean') bad('workflow_complete', 'must be a boolean', router);
  const rawReasoning = optionalString(obj, 'reasoning', router);
  const reasoning =
    rawReasoning === undefined ? {} : { reasoning: truncateUtf8(rawReasoning, MAX_REASONING_BYTES) };
  if (complete) return { workflow_complete: true, ...reasoning };

  const nextAgent = optionalString(obj, 'next_agent', router);
  if (nextAgent === undefined) bad('next_agent', 'is required to forward', router);
  if (nextAgent.length > MAX_AGENT_ID_CHARS || !isValidAgentId(nextAgent))
    bad('next_agent', 'must be an agent id ([a-zA-Z0-9._-]+)', router);
  const instruction = optionalString(obj, 'next_instruction', router);
  if (instruction === undefined) bad('next_instruction', 'is required to forward', router);
  if (Buffer.byteLength(instruction) > MAX_INSTRUCTION_BYTES)
    bad('next_instruction', `must be at most ${MAX_INSTRUCTION_BYTES} bytes`, router);
  return { workflow_complete: false, ...reasoning, next_agent: nextAgent, next_instruction: instruction };
}

/**
 * A decision from an LLM's text: the first balanced JSON object in it (bare, in prose or in a ```json
 * fence), preferring one with a `workflow_complete` key.
 */
export function decisionFromText(text: string, router?: RouterKind): RoutingDecision {
  if (text.length > MAX_DECISION_TEXT_CHARS)
    bad('', `text is longer than ${MAX_DECISION_TEXT_CHARS} characters`, router);
  const found = findJsonObject(text, (v) => Object.hasOwn(v, 'workflow_complete'));
  if (found === undefined) bad('', 'no JSON object in the text', router);
  return parseDecision(found, router);
}
