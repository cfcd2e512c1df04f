// Unit tests of the Anthropic request/response mapping (no network).
import { describe, expect, it } from 'vitest';

import {
  toAnthropicMessages,
  toAnthropicRequest,
} from '../../../src/plugins/provider-anthropic/anthropic-request.js';
import {
  fromAnthropicMessage,
  toFinishReason,
} from '../../../src/plugins/provider-anthropic/anthropic-response.js';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { MessageV1 } from '@agent2389/tool-sdk';
import { messageBody, textBlock, toolUseBlock } from '../../helpers/fake-anthropic-server.js';

// The fake body is a structurally valid Message for the fields we read.
const asMessage = (b: Record<string, unknown>): Message => b as unknown as Message;

describe('anthropic request mapping', () => {
  it('consecutive tool results and a following user text merge into one user message', () => {
    const msgs: MessageV1[] = [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: 'thinking',
        toolCalls: [
          { id: 'a', name: 'echo', input: { x: 1 } },
          { id: 'b', name: 'echo', input: 'not-an-object' },
        ],
      },
      { role: 'tool', toolCallId: 'a', toolName: 'echo', content: 'ok', isError: false },
      { role: 'tool', toolCallId: 'b', toolName: 'echo', content: 'bad', isError: true },
      { role: 'user', content: 'stop' },
    ];
    const out = toAnthropicMessages(msgs);
    expect(out.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(out[1]?.content).toEqual([
      { type: 'text', text: 'thinking' },
      { type: 'tool_use', id: 'a', name: 'echo', input: { x: 1 } },
      { type: 'tool_use', id: 'b', name: 'echo', input: {} },
    ]);
    expect(out[2]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'a', content: 'ok', is_error: false },
      { type: 'tool_result', tool_use_id: 'b', content: 'bad', is_error: true },
      { type: 'text', text: 'stop' },
    ]);
  });

  it('assistant tool turn without text sends only tool_use blocks; temperature only when set', () => {
    const tool = { name: 't', description: 'd', parameters: { type: 'object' } };
    const req = toAnthropicRequest(
      {
        messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 't', input: {} }] }],
        tools: [tool],
      },
      { model: 'm' },
    );
    expect(req.messages[0]?.content).toEqual([{ type: 'tool_use', id: 'a', name: 't', input: {} }]);
    expect(req).not.toHaveProperty('temperature');
    expect(req).not.toHaveProperty('system');
    const withTemp = toAnthropicRequest({ messages: [], tools: [] }, { model: 'm', temperature: 0 });
    expect(withTemp.temperature).toBe(0);
  });
});

describe('anthropic final tool-less call', () => {
  it('replays tool turns as text, roles alternating, when no tools are offered', () => {
    const req = toAnthropicRequest(
      {
        messages: [
          { role: 'user', content: 'task' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 't', input: { q: 1 } }] },
          { role: 'tool', toolCallId: 'a', toolName: 't', content: '{"r":2}', isError: false },
          { role: 'user', content: 'budget spent: answer now' },
        ],
        tools: [],
      },
      { model: 'm' },
    );
    expect(req).not.toHaveProperty('tools');
    expect(req.messages).toEqual([
      { role: 'user', content: 'task' },
      { role: 'assistant', content: '[called tool t with {"q":1}]' },
      { role: 'user', content: '[result of tool t]\n{"r":2}\n\nbudget spent: answer now' },
    ]);
  });
});

describe('anthropic response parsing', () => {
  it('maps stop reasons', () => {
    expect(toFinishReason('end_turn')).toBe('stop');
    expect(toFinishReason('tool_use')).toBe('tool_calls');
    expect(toFinishReason('max_tokens')).toBe('length');
    expect(toFinishReason('refusal')).toBe('other');
    expect(toFinishReason(null)).toBe('other');
  });

  it('joins text blocks, ignores unknown blocks, flags non-object tool input', () => {
    const r = fromAnthropicMessage(
      asMessage(
        messageBody(
          [
            textBlock('a'),
            { type: 'thinking', thinking: 'x', signature: 's' },
            textBlock('b'),
            toolUseBlock('t1', 'echo', [1, 2]),
            toolUseBlock('t2', 'echo', 'str'),
          ],
          'tool_use',
        ),
      ),
    );
    expect(r.text).toBe('ab');
    expect(r.toolCalls[0]?.inputError).toMatch(/JSON object.*array/);
    expect(r.toolCalls[1]?.inputError).toMatch(/JSON object.*string/);
    expect(r.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
  });

  it('a body without a content array is a clear error', () => {
    expect(() => fromAnthropicMessage(asMessage({ hello: 'world' }))).toThrow(/malformed/);
  });
});
