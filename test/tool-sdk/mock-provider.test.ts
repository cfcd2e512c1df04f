import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { runLlmLoop, type LoopSettings } from '../../src/core/agent/llm-loop.js';
import { cancellationOf } from '../../src/core/agent/task-cancellation.js';
import { ToolRegistry } from '../../src/core/agent/tool-registry.js';
import { AgentError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/observability/silent-logger.js';
import { defineTool, type GenerateRequestV1, type ProviderV1 } from '@agent2389/tool-sdk';
import { MockProvider, mockProviderFactory } from '@agent2389/tool-sdk/testing';

const settings: LoopSettings = { maxToolCalls: 5, maxIterations: 5, maxOutputBytes: 10_000 };
const opts = () => ({ signal: new AbortController().signal });

function registry(
  execute = vi.fn((input: { text: string; times: number }) => input.text.repeat(input.times)),
) {
  const tool = defineTool({
    name: 'repeat',
    description: 'Repeat text.',
    parameters: z.object({ text: z.string(), times: z.number().int().default(2) }),
    execute,
  });
  const entry = { name: 'repeat', tool, description: tool.describe(), config: {} };
  return { execute, tools: ToolRegistry.fromEntries([entry]) };
}

function run(provider: ProviderV1, tools: ToolRegistry) {
  const ctx = { cancellation: cancellationOf(new AbortController().signal), log: silentLogger };
  return runLlmLoop({ instruction: 'Repeat "ab"', input: null }, provider, tools, settings, ctx);
}

describe('MockProvider in the real agent loop', () => {
  it('drives a tool-call turn, then a final answer, and records both requests', async () => {
    const { tools, execute } = registry();
    const provider = new MockProvider([
      { toolCalls: [{ name: 'repeat', input: { text: 'ab' } }], usage: { inputTokens: 7, outputTokens: 3 } },
      { text: 'abab', usage: { inputTokens: 9, outputTokens: 1 } },
    ]);
    const result = await run(provider, tools);
    expect(result).toMatchObject({ text: 'abab', iterations: 2, toolCalls: 1, budgetExhausted: false });
    expect(result.usage).toEqual({ inputTokens: 16, outputTokens: 4 });
    expect(execute).toHaveBeenCalledWith(
      { text: 'ab', times: 2 },
      expect.objectContaining({ callId: 'mock-call-1' }),
    );
    expect(provider.remaining).toBe(0);

    const [first, second] = provider.calls;
    expect(first!.tools.map((t) => t.name)).toEqual(['repeat']);
    expect(first!.tools[0]!.parameters).toMatchObject({ required: ['text'] });
    expect(first!.messages).toEqual([{ role: 'user', content: 'Repeat "ab"' }]);
    expect(second!.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'mock-call-1', name: 'repeat', input: { text: 'ab' } }],
      },
      { role: 'tool', toolCallId: 'mock-call-1', toolName: 'repeat', content: '"abab"', isError: false },
    ]);
  });

  it('feeds a host validation failure back as an error result, and accepts dynamic steps', async () => {
    const { tools, execute } = registry();
    const provider = new MockProvider([
      { toolCalls: [{ name: 'repeat', input: { text: 3 } }] },
      (req: GenerateRequestV1) => {
        const last = req.messages.at(-1);
        const text = last?.role === 'tool' && last.isError ? 'gave up' : 'unexpected';
        return { text, toolCalls: [], finishReason: 'stop' };
      },
    ]);
    await expect(run(provider, tools)).resolves.toMatchObject({ text: 'gave up', toolCalls: 1 });
    expect(execute).not.toHaveBeenCalled();
    expect(provider.calls[1]!.messages.at(-1)).toMatchObject({ role: 'tool', isError: true });
  });

  it('fails clearly when the script runs out (the loop wraps it as a provider error)', async () => {
    const provider = new MockProvider([{ toolCalls: [{ name: 'repeat', input: { text: 'x' } }] }], {
      id: 'm1',
    });
    const err: unknown = await run(provider, registry().tools).catch((e: unknown) => e);
    expect(AgentError.is(err, 'AGENT_ERR_PROVIDER_REQUEST_FAILED')).toBe(true);
    const cause = (err as AgentError).cause as Error;
    expect(cause.message).toMatch(/MockProvider "m1": script exhausted, call #2/);
    expect(provider.calls).toHaveLength(2);
  });
});

describe('MockProvider', () => {
  it('numbers tool calls across turns, keeps explicit ids and honours the signal', async () => {
    const provider = new MockProvider().push(
      { toolCalls: [{ name: 'a' }, { name: 'b', id: 'mine' }] },
      { toolCalls: [{ name: 'c', input: { x: 1 } }], text: 'thinking' },
    );
    const req = { messages: [], tools: [] };
    const r1 = await provider.doGenerate(req, opts());
    const r2 = await provider.doGenerate(req, opts());
    expect(r1.toolCalls.map((c) => c.id)).toEqual(['mock-call-1', 'mine']);
    expect(r1).toMatchObject({ finishReason: 'tool_calls', text: '' });
    expect(r2).toMatchObject({ text: 'thinking', toolCalls: [{ id: 'mock-call-2', input: { x: 1 } }] });
    const aborted = AbortSignal.abort();
    await expect(provider.doGenerate(req, { signal: aborted })).rejects.toBe(aborted.reason);
  });

  it('verifies ok by default or fails with the scripted message', async () => {
    const ok = new MockProvider();
    await expect(ok.verify(opts())).resolves.toBeUndefined();
    const bad = new MockProvider([], { verify: { fail: 'invalid api key' } });
    await expect(bad.verify(opts())).rejects.toThrow('invalid api key');
    expect([ok.verifyCalls, bad.verifyCalls]).toEqual([1, 1]);
  });

  it('is usable through a provider factory, one fresh script per instance', async () => {
    const factory = mockProviderFactory('mock-llm', [{ text: 'hello' }]);
    expect(factory).toMatchObject({ id: 'mock-llm', requiresApiKey: false });
    const settings = { model: 'm', options: {} };
    const a = factory.create(settings, { log: silentLogger });
    const b = factory.create(settings, { log: silentLogger });
    await expect(a.doGenerate({ messages: [], tools: [] }, opts())).resolves.toMatchObject({ text: 'hello' });
    await expect(b.doGenerate({ messages: [], tools: [] }, opts())).resolves.toMatchObject({ text: 'hello' });
    expect(factory.instances).toEqual([a, b]);
    expect(factory.instances[0]!.settings).toBe(settings);
    expect(a.id).toBe('mock-llm');
  });
});
