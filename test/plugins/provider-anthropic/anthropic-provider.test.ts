// The anthropic provider through the real @anthropic-ai/sdk against a local fake Anthropic server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createAnthropicProvider } from '../../../src/plugins/provider-anthropic/anthropic-provider.js';
import type { ProviderV1, ToolDescriptionV1 } from '@agent2389/tool-sdk';
import {
  messageBody,
  startFakeAnthropicServer,
  textBlock,
  toolUseBlock,
  type FakeAnthropicServer,
} from '../../helpers/fake-anthropic-server.js';

const KEY = 'sk-ant-test-key-123';
const signal = () => new AbortController().signal;
const echo: ToolDescriptionV1 = {
  name: 'echo',
  description: 'Echo a message',
  parameters: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
};

let server: FakeAnthropicServer;
let provider: ProviderV1;
beforeEach(async () => {
  server = await startFakeAnthropicServer();
  provider = createAnthropicProvider({
    model: 'claude-test',
    apiKey: KEY,
    baseUrl: server.baseUrl,
    options: { timeout: 5, max_retries: 0 },
  });
});
afterEach(() => server.close());

describe('anthropic provider: generation', () => {
  it('plain answer: text, stop, usage; system top-level; max_tokens 4096; key sent; no tools field', async () => {
    server.enqueue({ body: messageBody([textBlock('Hello '), textBlock('world')]) });
    const r = await provider.doGenerate(
      { system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }], tools: [] },
      { signal: signal() },
    );
    expect(r).toEqual({
      text: 'Hello world',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 10, outputTokens: 5 },
    });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/messages', hasApiKey: true });
    expect(req.body).toMatchObject({
      model: 'claude-test',
      system: 'Be brief.',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(req.body).not.toHaveProperty('tools');
    expect(req.body).not.toHaveProperty('temperature');
  });

  it('settings.maxTokens and temperature are sent when set', async () => {
    const p = createAnthropicProvider({
      model: 'm',
      apiKey: KEY,
      baseUrl: server.baseUrl,
      temperature: 0.2,
      maxTokens: 100,
      options: { max_retries: 0 },
    });
    server.enqueue({ body: messageBody([textBlock('ok')]) });
    await p.doGenerate({ messages: [{ role: 'user', content: 'hi' }], tools: [] }, { signal: signal() });
    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 100, temperature: 0.2 });
  });

  it('one tool_use: tools sent as {name, description, input_schema}; call parsed', async () => {
    server.enqueue({
      body: messageBody(
        [textBlock('Let me check.'), toolUseBlock('toolu_1', 'echo', { message: 'x' })],
        'tool_use',
      ),
    });
    const r = await provider.doGenerate(
      { messages: [{ role: 'user', content: 'hi' }], tools: [echo] },
      { signal: signal() },
    );
    expect(server.requests[0]?.body?.tools).toEqual([
      { name: 'echo', description: 'Echo a message', input_schema: echo.parameters },
    ]);
    expect(r.finishReason).toBe('tool_calls');
    expect(r.text).toBe('Let me check.');
    expect(r.toolCalls).toEqual([{ id: 'toolu_1', name: 'echo', input: { message: 'x' } }]);
  });

  it('parallel tool_use blocks in one turn become several calls', async () => {
    server.enqueue({
      body: messageBody(
        [
          toolUseBlock('toolu_1', 'echo', { message: 'a' }),
          toolUseBlock('toolu_2', 'echo', { message: 'b' }),
        ],
        'tool_use',
      ),
    });
    const r = await provider.doGenerate(
      { messages: [{ role: 'user', content: 'hi' }], tools: [echo] },
      { signal: signal() },
    );
    expect(r.toolCalls.map((c) => [c.id, c.input])).toEqual([
      ['toolu_1', { message: 'a' }],
      ['toolu_2', { message: 'b' }],
    ]);
  });

  it('tool results of one turn go back as ONE user message of tool_result blocks', async () => {
    server.enqueue({ body: messageBody([textBlock('done')]) });
    await provider.doGenerate(
      {
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [
              { id: 'toolu_1', name: 'echo', input: { message: 'a' } },
              { id: 'toolu_2', name: 'echo', input: { message: 'b' } },
            ],
          },
          { role: 'tool', toolCallId: 'toolu_1', toolName: 'echo', content: 'a', isError: false },
          { role: 'tool', toolCallId: 'toolu_2', toolName: 'echo', content: 'boom', isError: true },
        ],
        tools: [echo],
      },
      { signal: signal() },
    );
    const messages = server.requests[0]?.body?.messages as Array<{ role: string; content: unknown }>;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[2]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'a', is_error: false },
      { type: 'tool_result', tool_use_id: 'toolu_2', content: 'boom', is_error: true },
    ]);
  });
});
