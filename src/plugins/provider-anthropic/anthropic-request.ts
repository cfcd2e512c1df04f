// Maps a GenerateRequestV1 to the body of Anthropic's POST /v1/messages.
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';

import type { GenerateRequestV1, MessageV1, ResponseFormatV1, ToolDescriptionV1 } from '@agent2389/tool-sdk';
import { flattenToolHistory, hasToolHistory } from '@agent2389/tool-sdk';
import type { RequestSettings } from '../provider-common/provider-settings.js';

export const DEFAULT_MAX_TOKENS = 4096;

export function toAnthropicTool(tool: ToolDescriptionV1): Tool {
  // Our parameters are a JSON Schema object; Anthropic requires its top-level `type: 'object'`.
  return {
    name: tool.name,
    description: tool.description,
    input_schema: { type: 'object', ...tool.parameters },
  };
}

function assistantContent(m: Extract<MessageV1, { role: 'assistant' }>): string | ContentBlockParam[] {
  const calls = m.toolCalls ?? [];
  if (calls.length === 0) return m.content;
  const blocks: ContentBlockParam[] = m.content ? [{ type: 'text', text: m.content }] : [];
  for (const c of calls) {
    const input = typeof c.input === 'object' && c.input !== null && !Array.isArray(c.input) ? c.input : {};
    blocks.push({ type: 'tool_use', id: c.id, name: c.name, input });
  }
  return blocks;
}

/**
 * Conversation messages in Anthropic's shape. Tool results become `tool_result` blocks in a user
 * message; consecutive results (one turn) are merged into ONE user message, as the API requires
 * alternating roles. A user text right after them (the budget prompt) joins that message as a text block.
 */
export function toAnthropicMessages(messages: readonly MessageV1[]): MessageParam[] {
  const out: MessageParam[] = [];
  let pending: ContentBlockParam[] | undefined;
  for (const m of messages) {
    if (m.role === 'tool') {
      const block: ToolResultBlockParam = {
        type: 'tool_result',
        tool_use_id: m.toolCallId,
        content: m.content,
        is_error: m.isError,
      };
      if (pending) pending.push(block);
      else {
        pending = [block];
        out.push({ role: 'user', content: pending });
      }
      continue;
    }
    if (m.role === 'user' && pending) {
      pending.push({ type: 'text', text: m.content });
      pending = undefined;
      continue;
    }
    pending = undefined;
    if (m.role === 'user') out.push({ role: 'user', content: m.content });
    else out.push({ role: 'assistant', content: assistantContent(m) });
  }
  return out;
}

/** SDK 1.x types omit `temperature`, but the Messages API accepts it and the SDK sends the body as-is. */
export type AnthropicRequestBody = MessageCreateParamsNonStreaming & { temperature?: number };

export function toAnthropicRequest(req: GenerateRequestV1, settings: RequestSettings): AnthropicRequestBody {
  return {
    model: settings.model,
    max_tokens: settings.maxTokens ?? DEFAULT_MAX_TOKENS,
    // No tools offered but tool turns in the history (the budget's final call): send that history as text.
    messages: toAnthropicMessages(
      req.tools.length === 0 && hasToolHistory(req.messages)
        ? flattenToolHistory(req.messages)
        : req.messages,
    ),
    ...(req.system ? { system: req.system } : {}),
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...toolsAndChoice(req),
  };
}

/** Structured output as a forced call of a tool whose input schema is the wanted object's schema. */
export function toOutputTool(format: ResponseFormatV1): Tool {
  return {
    name: format.name,
    description: 'Give your answer by calling this tool with the JSON object it describes.',
    input_schema: { ...format.schema, type: 'object' },
  };
}

function toolsAndChoice(req: GenerateRequestV1): Pick<AnthropicRequestBody, 'tools' | 'tool_choice'> {
  const tools = req.tools.map(toAnthropicTool);
  if (!req.responseFormat) return tools.length > 0 ? { tools } : {};
  return {
    tools: [...tools, toOutputTool(req.responseFormat)],
    tool_choice: { type: 'tool', name: req.responseFormat.name },
  };
}
