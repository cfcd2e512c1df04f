// Parses a Chat Completions response into the host's result: text, tool calls, finish reason, usage.
import type { GenerateResultV1, ToolCallV1 } from '@agent2389/tool-sdk';
import { MalformedResponseError } from '../provider-common/provider-failure.js';

/** The parts of a Chat Completions response we read; checked at runtime, since servers vary. */
interface RawToolCall {
  id?: unknown;
  type?: unknown;
  function?: { name?: unknown; arguments?: unknown };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function mapFinishReason(reason: unknown): GenerateResultV1['finishReason'] {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'length':
      return 'length';
    default:
      return 'other';
  }
}

/** One tool call; arguments that are not a JSON object become `inputError`, never a dropped call. */
export function parseToolCall(raw: RawToolCall, index: number): ToolCallV1 {
  const id = typeof raw.id === 'string' && raw.id !== '' ? raw.id : `call_${index}`;
  const name = typeof raw.function?.name === 'string' ? raw.function.name : '';
  const args = raw.function?.arguments;
  if (args === undefined || args === null || args === '') return { id, name, input: {} };
  if (typeof args !== 'string') {
    return isObject(args)
      ? { id, name, input: args }
      : { id, name, input: {}, inputError: 'arguments must be a JSON object' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { id, name, input: {}, inputError: `arguments are not valid JSON (${why})` };
  }
  if (!isObject(parsed) || Array.isArray(parsed)) {
    return { id, name, input: parsed, inputError: 'arguments must be a JSON object' };
  }
  return { id, name, input: parsed };
}

export function parseChatResponse(body: unknown): GenerateResultV1 {
  if (!isObject(body)) throw new MalformedResponseError('expected a JSON object');
  const choices = body.choices;
  if (!Array.isArray(choices) || choices.length === 0 || !isObject(choices[0])) {
    throw new MalformedResponseError('no choices');
  }
  const choice = choices[0];
  const message = isObject(choice.message) ? choice.message : {};
  const text = typeof message.content === 'string' ? message.content : '';
  const rawCalls = Array.isArray(message.tool_calls) ? (message.tool_calls as RawToolCall[]) : [];
  const toolCalls = rawCalls.filter(isObject).map((tc, i) => parseToolCall(tc, i));
  let finishReason = mapFinishReason(choice.finish_reason);
  if (toolCalls.length > 0 && finishReason === 'other') finishReason = 'tool_calls';
  const usage = isObject(body.usage) ? body.usage : undefined;
  return {
    text,
    toolCalls,
    finishReason,
    ...(usage
      ? {
          usage: {
            inputTokens: typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0,
            outputTokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0,
          },
        }
      : {}),
  };
}
