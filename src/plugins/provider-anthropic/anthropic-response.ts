// Parses an Anthropic Message into a GenerateResultV1.
import type { Message } from '@anthropic-ai/sdk/resources/messages';

import type { GenerateResultV1, ResponseFormatV1, ToolCallV1 } from '@agent2389/tool-sdk';
import { MalformedResponseError } from '../provider-common/provider-failure.js';

export function toFinishReason(stop: string | null | undefined): GenerateResultV1['finishReason'] {
  switch (stop) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
      return 'length';
    default:
      return 'other';
  }
}

function toToolCall(block: { id: string; name: string; input: unknown }): ToolCallV1 {
  const { id, name, input } = block;
  if (input === undefined) return { id, name, input: {} };
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return { id, name, input };
  return {
    id,
    name,
    input,
    inputError: `tool arguments must be a JSON object, got ${Array.isArray(input) ? 'array' : typeof input}`,
  };
}

/** The input of the forced output tool (structured output), as JSON text; undefined if it was not called. */
function structuredText(msg: Message, format: ResponseFormatV1): string | undefined {
  for (const block of msg.content) {
    if (block.type === 'tool_use' && block.name === format.name) return JSON.stringify(block.input ?? null);
  }
  return undefined;
}

/** Token counts, when the message has them. */
function usageOf(msg: Message): Pick<GenerateResultV1, 'usage'> {
  const usage = msg.usage;
  return usage
    ? { usage: { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 } }
    : {};
}

/**
 * Text blocks joined; every `tool_use` block becomes a ToolCallV1; other block types are ignored. With
 * structured output asked for, the output tool's input is the answer, as JSON text without tool calls.
 */
export function fromAnthropicMessage(msg: Message, format?: ResponseFormatV1): GenerateResultV1 {
  if (typeof msg !== 'object' || msg === null || !Array.isArray(msg.content)) {
    throw new MalformedResponseError('no content array');
  }
  const structured = format ? structuredText(msg, format) : undefined;
  if (structured !== undefined) {
    return { text: structured, toolCalls: [], finishReason: 'stop', ...usageOf(msg) };
  }
  const texts: string[] = [];
  const toolCalls: ToolCallV1[] = [];
  for (const block of msg.content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') toolCalls.push(toToolCall(block));
  }
  return { text: texts.join(''), toolCalls, finishReason: toFinishReason(msg.stop_reason), ...usageOf(msg) };
}
