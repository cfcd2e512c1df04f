// Unit tests for the OpenAI request mapping and response parsing (no network). Error messages:
// test/plugins/provider-common/provider-failure.test.ts.
import { describe, expect, it } from 'vitest';

import { MalformedResponseError } from '../../../src/plugins/provider-common/provider-failure.js';
import { toChatRequest } from '../../../src/plugins/provider-openai/request-mapping.js';
import {
  mapFinishReason,
  parseChatResponse,
  parseToolCall,
} from '../../../src/plugins/provider-openai/response-parsing.js';

describe('openai request mapping', () => {
  it('omits tools, temperature and max_tokens when not set; system becomes the first message', () => {
    const body = toChatRequest(
      { system: 'be brief', messages: [{ role: 'user', content: 'hi' }], tools: [] },
      { model: 'm' },
    );
    expect(body).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it('maps tools, assistant tool calls (JSON-string arguments) and error tool results', () => {
    const body = toChatRequest(
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'echo', input: { a: 1 } }] },
          { role: 'tool', toolCallId: 'c1', toolName: 'echo', content: 'boom', isError: true },
        ],
        tools: [{ name: 'echo', description: 'Echo', parameters: { type: 'object' } }],
      },
      { model: 'm', temperature: 0.2, maxTokens: 99 },
    );
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'echo', description: 'Echo', parameters: { type: 'object' } } },
    ]);
    expect(body).toMatchObject({ temperature: 0.2, max_tokens: 99 });
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'echo', arguments: '{"a":1}' } }],
    });
    expect(body.messages[2]).toMatchObject({ role: 'tool', tool_call_id: 'c1' });
    expect(body.messages[2]?.content).toMatch(/^Error: .*boom/);
  });
});

describe('openai response parsing', () => {
  it('maps finish reasons', () => {
    expect(mapFinishReason('stop')).toBe('stop');
    expect(mapFinishReason('tool_calls')).toBe('tool_calls');
    expect(mapFinishReason('length')).toBe('length');
    expect(mapFinishReason('content_filter')).toBe('other');
  });

  it('keeps tool calls with invalid or non-object arguments, marked with inputError', () => {
    expect(parseToolCall({ id: 'a', function: { name: 't', arguments: '{"x":' } }, 0).inputError).toMatch(
      /not valid JSON/,
    );
    expect(parseToolCall({ id: 'a', function: { name: 't', arguments: '[1]' } }, 0).inputError).toMatch(
      /object/,
    );
    expect(parseToolCall({ id: 'a', function: { name: 't', arguments: '' } }, 0)).toEqual({
      id: 'a',
      name: 't',
      input: {},
    });
    expect(parseToolCall({ function: { name: 't', arguments: '{}' } }, 3).id).toBe('call_3');
  });

  it('rejects bodies without choices', () => {
    expect(() => parseChatResponse('<html>')).toThrow(MalformedResponseError);
    expect(() => parseChatResponse({ choices: [] })).toThrow(/no choices/);
  });

  it('reads usage when present and leaves it out otherwise', () => {
    const choice = { message: { content: 'x' }, finish_reason: 'stop' };
    expect(parseChatResponse({ choices: [choice] }).usage).toBeUndefined();
    expect(
      parseChatResponse({ choices: [choice], usage: { prompt_tokens: 3, completion_tokens: 4 } }).usage,
    ).toEqual({
      inputTokens: 3,
      outputTokens: 4,
    });
  });
});
