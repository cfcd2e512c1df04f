// Structured output (GenerateRequestV1.responseFormat) in the Anthropic mapping: a forced output tool (no network).
import { describe, expect, it } from 'vitest';

import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { GenerateRequestV1, ResponseFormatV1 } from '@agent2389/tool-sdk';
import { toAnthropicRequest } from '../../../src/plugins/provider-anthropic/anthropic-request.js';
import { fromAnthropicMessage } from '../../../src/plugins/provider-anthropic/anthropic-response.js';
import { messageBody, textBlock, toolUseBlock } from '../../helpers/fake-anthropic-server.js';

const asMessage = (b: Record<string, unknown>): Message => b as unknown as Message;
const format: ResponseFormatV1 = {
  type: 'json_schema',
  name: 'answer',
  schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
};
const echo = { name: 'echo', description: 'echo', parameters: { type: 'object' } };
const req = (extra: Partial<GenerateRequestV1> = {}): GenerateRequestV1 => ({
  messages: [{ role: 'user', content: 'hi' }],
  tools: [],
  ...extra,
});

describe('anthropic structured output', () => {
  it('adds the output tool after the offered tools and forces it', () => {
    const body = toAnthropicRequest(req({ tools: [echo], responseFormat: format }), { model: 'm' });
    expect(body.tools).toMatchObject([{ name: 'echo' }, { name: 'answer' }]);
    expect(body.tools?.[1]).toMatchObject({ input_schema: format.schema });
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'answer' });
  });

  it('without responseFormat: no tool_choice, as before', () => {
    expect(toAnthropicRequest(req(), { model: 'm' })).not.toHaveProperty('tool_choice');
    expect(toAnthropicRequest(req(), { model: 'm' })).not.toHaveProperty('tools');
  });

  it('the output tool input becomes the text; no tool calls; finish reason stop', () => {
    const msg = asMessage(
      messageBody([textBlock('ignored'), toolUseBlock('t1', 'answer', { ok: true })], 'tool_use'),
    );
    expect(fromAnthropicMessage(msg, format)).toEqual({
      text: '{"ok":true}',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 10, outputTokens: 5 },
    });
  });

  it('no output tool call: the usual parse (text, other tool calls)', () => {
    const msg = asMessage(
      messageBody([textBlock('{"ok": false}'), toolUseBlock('t1', 'echo', {})], 'tool_use'),
    );
    const r = fromAnthropicMessage(msg, format);
    expect(r.text).toBe('{"ok": false}');
    expect(r.toolCalls).toEqual([{ id: 't1', name: 'echo', input: {} }]);
  });
});
