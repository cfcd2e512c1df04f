// Build the task envelope that `agent2389 inject` sends (pure, for testing).
import { randomUUID } from 'node:crypto';

import { UUID_PATTERN, type NextTask } from '../core/protocol/envelope.js';
import { inputTopic, isValidAgentId, conversationTopicProblem } from '../core/protocol/topics.js';

export interface InjectSpec {
  agentId: string;
  message?: string | undefined;
  /** A v2 task: instruction = the query, context {original_query, steps_completed: [], iteration_count: 0}. */
  query?: string | undefined;
  /** Raw JSON text for `input`. */
  inputJson?: string | undefined;
  tool?: string | undefined;
  /** Raw JSON text for the tool's parameters. */
  toolParamsJson?: string | undefined;
  next?: readonly string[] | undefined;
  conversationId?: string | undefined;
  taskId?: string | undefined;
}

export class UsageError extends Error {}

function parseJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${flag} is not valid JSON: ${(err as Error).message}`);
  }
}

/** `an array`, `a string`, `null`…: what a JSON value is, for a usage error. */
function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function buildInput(spec: InjectSpec): unknown {
  let input: unknown = spec.inputJson === undefined ? null : parseJson(spec.inputJson, '--input');
  if (spec.toolParamsJson !== undefined && spec.tool === undefined)
    throw new UsageError('--tool-params needs --tool');
  if (spec.tool !== undefined) {
    const parameters =
      spec.toolParamsJson === undefined ? {} : parseJson(spec.toolParamsJson, '--tool-params');
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
      throw new UsageError(
        `--tool-params must be a JSON object ({"name": value, ...}), got ${jsonKind(parameters)}`,
      );
    if (input !== null && (typeof input !== 'object' || Array.isArray(input))) {
      throw new UsageError('--tool needs --input to be a JSON object (or absent)');
    }
    input = { ...input, tool_request: { name: spec.tool, parameters } };
  }
  return input;
}

function buildNext(agents: readonly string[]): NextTask | null {
  let next: NextTask | null = null;
  for (const id of [...agents].reverse())
    next = { topic: inputTopic(id), instruction: null, input: null, next };
  return next;
}

export interface BuiltEnvelope {
  envelope: Record<string, unknown>;
  topic: string;
  taskId: string;
  conversationId: string;
  /** The agent whose conversation topic carries the final response. */
  finalAgentId: string;
}

/** The v2 fields of a routed task (docs/protocol.md §3.2): the query is the start of the workflow. */
function v2Fields(query: string): Record<string, unknown> {
  return { version: '2.0', context: { original_query: query, steps_completed: [], iteration_count: 0 } };
}

export function buildInjectEnvelope(spec: InjectSpec): BuiltEnvelope {
  const next = spec.next ?? [];
  if (spec.query !== undefined && spec.message !== undefined)
    throw new UsageError('--query is the instruction: use --query or --message, not both');
  if (spec.query !== undefined && next.length > 0)
    throw new UsageError('--query starts a routed workflow; --next sets a fixed pipeline: use one');
  for (const id of [spec.agentId, ...next]) {
    if (!isValidAgentId(id)) throw new UsageError(`agent id "${id}" must match [a-zA-Z0-9._-]+`);
  }
  const taskId = spec.taskId ?? randomUUID();
  if (!UUID_PATTERN.test(taskId)) throw new UsageError(`--task-id "${taskId}" must be a UUID`);
  const conversationId = spec.conversationId ?? `conv-${randomUUID().slice(0, 8)}`;
  const problem = conversationTopicProblem(conversationId, spec.agentId);
  if (problem !== undefined) throw new UsageError(`--conversation-id ${problem}`);
  const topic = inputTopic(spec.agentId);
  const envelope = {
    task_id: taskId,
    conversation_id: conversationId,
    topic,
    instruction: spec.query ?? spec.message ?? null,
    input: buildInput(spec),
    next: buildNext(next),
    ...(spec.query === undefined ? {} : v2Fields(spec.query)),
  };
  return { envelope, topic, taskId, conversationId, finalAgentId: next[next.length - 1] ?? spec.agentId };
}
