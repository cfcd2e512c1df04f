// Maps the host's request (system, messages, tools, response format) to OpenAI Chat Completions parameters.
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { ResponseFormatJSONSchema } from 'openai/resources/shared';

import type { GenerateRequestV1, MessageV1, ResponseFormatV1, ToolDescriptionV1 } from '@agent2389/tool-sdk';
import { flattenToolHistory, hasToolHistory } from '@agent2389/tool-sdk';
import type { RequestSettings } from '../provider-common/provider-settings.js';

/** Prefix for tool results that failed, so the model sees the failure. */
export const TOOL_ERROR_PREFIX = 'Error: ';

export function toOpenAiTool(tool: ToolDescriptionV1): ChatCompletionTool {
  return {
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
    },
  };
}

export function toOpenAiMessage(message: MessageV1): ChatCompletionMessageParam {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // Chat Completions accepts null content next to tool_calls; empty text is sent as null.
        content: message.content === '' ? null : message.content,
        tool_calls: calls.map((tc) => ({
          id: tc.id,
          type: 'function' as const,
          function: { name: tc.name, arguments: JSON.stringify(tc.input ?? {}) },
        })),
      };
    }
    case 'tool':
      return {
        role: 'tool',
        tool_call_id: message.toolCallId,
        content: message.isError ? `${TOOL_ERROR_PREFIX}${message.content}` : message.content,
      };
  }
}

/** Structured output: the schema in strict mode, so the answer's `content` is JSON matching it. */
export function toResponseFormat(format: ResponseFormatV1): ResponseFormatJSONSchema {
  return {
    type: 'json_schema',
    json_schema: { name: format.name, schema: { ...format.schema }, strict: true },
  };
}

/** The full, non-streaming request body; temperature/max_tokens and tools are omitted when unset. */
export function toChatRequest(
  req: GenerateRequestV1,
  settings: RequestSettings,
): ChatCompletionCreateParamsNonStreaming {
  const messages: ChatCompletionMessageParam[] = [];
  if (req.system) messages.push({ role: 'system', content: req.system });
  // No tools offered but tool turns in the history (the budget's final call): send that history as text,
  // which every OpenAI-compatible server accepts.
  const history =
    req.tools.length === 0 && hasToolHistory(req.messages) ? flattenToolHistory(req.messages) : req.messages;
  for (const m of history) messages.push(toOpenAiMessage(m));
  return {
    model: settings.model,
    messages,
    ...(req.tools.length > 0 ? { tools: req.tools.map(toOpenAiTool) } : {}),
    ...(req.responseFormat ? { response_format: toResponseFormat(req.responseFormat) } : {}),
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.maxTokens !== undefined ? { max_tokens: settings.maxTokens } : {}),
  };
}
