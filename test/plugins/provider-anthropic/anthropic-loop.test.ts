// Budget exhaustion (docs/protocol.md §6) through the real runLlmLoop with the anthropic provider and a fake server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runLlmLoop } from '../../../src/core/agent/llm-loop.js';
import { cancellationOf } from '../../../src/core/agent/task-cancellation.js';
import { ToolRegistry } from '../../../src/core/agent/tool-registry.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { createAnthropicProvider } from '../../../src/plugins/provider-anthropic/anthropic-provider.js';
import { echoToolFactory } from '../../../src/plugins/tools-core/echo.js';
import type { ProviderV1 } from '@agent2389/tool-sdk';
import {
  messageBody,
  startFakeAnthropicServer,
  textBlock,
  toolUseBlock,
  type FakeAnthropicServer,
} from '../../helpers/fake-anthropic-server.js';

const signal = () => new AbortController().signal;

let server: FakeAnthropicServer;
let provider: ProviderV1;
beforeEach(async () => {
  server = await startFakeAnthropicServer();
  provider = createAnthropicProvider({
    model: 'claude-test',
    apiKey: 'sk-ant-test',
    baseUrl: server.baseUrl,
    options: { timeout: 5, max_retries: 0 },
  });
});
afterEach(() => server.close());

describe('anthropic provider in the LLM loop', () => {
  it('budget exhaustion through the real runLlmLoop: final call sends no tools and gets an answer', async () => {
    const tool = echoToolFactory.create();
    const tools = ToolRegistry.fromEntries([
      { name: 'echo', tool, description: tool.describe(), config: {} },
    ]);
    const call = (id: string) =>
      ({ body: messageBody([toolUseBlock(id, 'echo', { message: id })], 'tool_use') }) as const;
    server.enqueue(call('toolu_1'), call('toolu_2'), { body: messageBody([textBlock('best answer')]) });
    const result = await runLlmLoop(
      { instruction: 'Echo forever', input: null },
      provider,
      tools,
      { maxToolCalls: 10, maxIterations: 2, maxOutputBytes: 10_000, systemPrompt: 'sys' },
      { cancellation: cancellationOf(signal()), log: silentLogger },
    );
    expect(result).toMatchObject({ text: 'best answer', budgetExhausted: true, iterations: 2, toolCalls: 2 });
    expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 15 });
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.body?.tools !== undefined)).toEqual([true, true, false]);
    const last = server.requests[2]!.body!;
    expect(last.system).toBe('sys');
    const roles = (last.messages as Array<{ role: string }>).map((m) => m.role);
    // Roles strictly alternate: the budget prompt joins the last tool results' user message.
    expect(roles).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    // No tools are offered in the final call, so the tool turns are replayed as text, not tool blocks.
    const sent = JSON.stringify(last.messages);
    expect(sent).not.toContain('tool_use');
    expect(sent).toContain('[result of tool');
    expect(sent).toContain('[called tool');
  });
});
