// The real openai SDK against a local fake server: answers, tool calling and the real LLM loop.
import { describe, expect, it } from 'vitest';

import { runLlmLoop } from '../../../src/core/agent/llm-loop.js';
import { cancellationOf } from '../../../src/core/agent/task-cancellation.js';
import { ToolRegistry } from '../../../src/core/agent/tool-registry.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { chatBody } from '../../helpers/fake-openai-server.js';
import { ask, echo, signal, useFakeOpenAi } from './harness.js';

const openai = useFakeOpenAi();
const { provider } = openai;

describe('openai provider (real SDK, fake server)', () => {
  it('plain answer: text, usage, system prompt, model, bearer key; no temperature/max_tokens', async () => {
    openai.server.enqueue({ body: chatBody('hello there') });
    const r = await provider().doGenerate(ask([], { system: 'be brief' }), signal());
    expect(r).toEqual({
      text: 'hello there',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 11, outputTokens: 7 },
    });
    const [req] = openai.server.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions', hasAuthorization: true });
    expect(req!.body).toMatchObject({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(req!.body).not.toHaveProperty('tools');
    expect(req!.body).not.toHaveProperty('temperature');
    expect(req!.body).not.toHaveProperty('max_tokens');
  });

  it('sends temperature and max_tokens when set', async () => {
    openai.server.enqueue({ body: chatBody('ok') });
    await provider({ temperature: 0.3, maxTokens: 50 }).doGenerate(ask(), signal());
    expect(openai.server.requests[0]!.body).toMatchObject({ temperature: 0.3, max_tokens: 50 });
  });

  it('one tool call: tools sent as functions, call parsed', async () => {
    openai.server.enqueue({
      body: chatBody(null, [{ id: 'call_1', name: 'echo', arguments: { message: 'x' } }]),
    });
    const r = await provider().doGenerate(ask(), signal());
    expect(r.finishReason).toBe('tool_calls');
    expect(r.toolCalls).toEqual([{ id: 'call_1', name: 'echo', input: { message: 'x' } }]);
    expect(openai.server.requests[0]!.body?.tools).toEqual([
      {
        type: 'function',
        function: { name: 'echo', description: 'Echo the message', parameters: echo.parameters },
      },
    ]);
  });

  it('parallel tool calls and invalid arguments (kept, with inputError)', async () => {
    openai.server.enqueue({
      body: chatBody(null, [
        { id: 'a', name: 'echo', arguments: { message: '1' } },
        { id: 'b', name: 'echo', arguments: '{"message": "2"' },
        { id: 'c', name: 'echo', arguments: { message: '3' } },
      ]),
    });
    const r = await provider().doGenerate(ask(), signal());
    expect(r.toolCalls.map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(r.toolCalls[1]!.inputError).toMatch(/not valid JSON/);
    expect(r.toolCalls[0]!.inputError).toBeUndefined();
  });

  it('tool results go back as role tool with tool_call_id, errors prefixed', async () => {
    openai.server.enqueue({ body: chatBody('done') });
    await provider().doGenerate(
      ask([echo], {
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [
              { id: 'a', name: 'echo', input: { message: '1' } },
              { id: 'b', name: 'echo', input: {} },
            ],
          },
          { role: 'tool', toolCallId: 'a', toolName: 'echo', content: '{"message":"1"}', isError: false },
          { role: 'tool', toolCallId: 'b', toolName: 'echo', content: 'missing message', isError: true },
        ],
      }),
      signal(),
    );
    const messages = openai.server.requests[0]!.body?.messages as Array<Record<string, unknown>>;
    expect(messages[1]!.tool_calls).toEqual([
      { id: 'a', type: 'function', function: { name: 'echo', arguments: '{"message":"1"}' } },
      { id: 'b', type: 'function', function: { name: 'echo', arguments: '{}' } },
    ]);
    expect(messages[2]).toEqual({ role: 'tool', tool_call_id: 'a', content: '{"message":"1"}' });
    expect(messages[3]).toMatchObject({ role: 'tool', tool_call_id: 'b' });
    expect(String(messages[3]!.content)).toMatch(/^Error: .*missing message/);
  });

  it('tool loop until budget exhaustion with the real runLlmLoop; final call has no tools', async () => {
    const call = (id: string) => ({
      body: chatBody(null, [{ id, name: 'echo', arguments: { message: id } }]),
    });
    openai.server.enqueue(call('c1'), call('c2'), { body: chatBody('best answer') });
    const tools = ToolRegistry.fromEntries([
      {
        name: 'echo',
        description: echo,
        config: {},
        tool: { specificationVersion: 'v1', describe: () => echo, execute: (i: unknown) => i },
      },
    ]);
    const result = await runLlmLoop(
      { instruction: 'go', input: null },
      provider(),
      tools,
      { maxToolCalls: 2, maxIterations: 8, maxOutputBytes: 10_000 },
      { cancellation: cancellationOf(new AbortController().signal), log: silentLogger },
    );
    expect(result).toMatchObject({
      text: 'best answer',
      toolCalls: 2,
      budgetExhausted: true,
      usage: { inputTokens: 33, outputTokens: 21 },
    });
    expect(openai.server.requests).toHaveLength(3);
    expect(openai.server.requests[0]!.body).toHaveProperty('tools');
    expect(openai.server.requests[1]!.body).toHaveProperty('tools');
    expect(openai.server.requests[2]!.body).not.toHaveProperty('tools');
    const last = openai.server.requests[2]!.body?.messages as Array<Record<string, unknown>>;
    // The final call offers no tools, so the tool turns are replayed as text (no tool role, no tool_calls).
    expect(last.some((m) => m.role === 'tool' || 'tool_calls' in m)).toBe(false);
    expect(JSON.stringify(last)).toContain('[result of tool');
    const second = openai.server.requests[1]!.body?.messages as Array<Record<string, unknown>>;
    expect(second.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual(['c1']);
  });
});
