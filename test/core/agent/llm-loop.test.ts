import { describe, expect, it } from 'vitest';

import {
  BUDGET_EXHAUSTED_PROMPT,
  runLlmLoop,
  taskPrompt,
  type LoopHooks,
  type LoopSettings,
} from '../../../src/core/agent/llm-loop.js';
import { cancellationOf } from '../../../src/core/agent/task-cancellation.js';
import type { ToolRegistry } from '../../../src/core/agent/tool-registry.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import { AgentError, ERR_PROVIDER_VERIFY_FAILED } from '../../../src/core/errors.js';
import { echoToolFactory } from '../../../src/plugins/tools-core/echo.js';
import type { GenerateRequestV1, GenerateResultV1, MessageV1, ProviderV1 } from '@agent2389/tool-sdk';
import { silentLogger as silent } from '../../../src/core/observability/silent-logger.js';
import { registryFor } from '../../helpers/tool-registry.js';

const MINIMAL = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n`;

function tools(toml = 'echo = "builtin"'): ToolRegistry {
  const { config } = parseConfigText(`${MINIMAL}[tools]\n${toml}\n`, 'agent.toml', { env: {} });
  return registryFor(config, [echoToolFactory]);
}

interface Seen {
  tools: string[];
  messages: MessageV1[];
  system: string | undefined;
  task: GenerateRequestV1['task'];
}

/** A provider that calls `perTurn` tools every round it is offered tools, and answers "final" otherwise. */
function fakeProvider(perTurn = 1, toolName = 'echo'): ProviderV1 & { seen: Seen[] } {
  const seen: Seen[] = [];
  let n = 0;
  return {
    specificationVersion: 'v1',
    id: 'fake',
    seen,
    doGenerate: (req) => {
      seen.push({
        tools: req.tools.map((t) => t.name),
        messages: [...req.messages],
        system: req.system,
        task: req.task,
      });
      const usage = { inputTokens: 10, outputTokens: 2 };
      if (req.tools.length === 0)
        return Promise.resolve({ text: 'final', toolCalls: [], finishReason: 'stop', usage });
      const toolCalls = Array.from({ length: perTurn }, () => ({
        id: `call-${++n}`,
        name: toolName,
        input: { message: `m${n}` },
      }));
      return Promise.resolve<GenerateResultV1>({
        text: 'thinking',
        toolCalls,
        finishReason: 'tool_calls',
        usage,
      });
    },
  };
}

function settings(s: Partial<LoopSettings> = {}): LoopSettings {
  return { maxToolCalls: 15, maxIterations: 8, maxOutputBytes: 10_000, ...s };
}

function run(provider: ProviderV1, s: Partial<LoopSettings> = {}, hooks: LoopHooks = {}, reg = tools()) {
  const ctx = { cancellation: cancellationOf(new AbortController().signal), log: silent, hooks };
  return runLlmLoop({ instruction: 'Do it', input: { a: 1 } }, provider, reg, settings(s), ctx);
}

const toolMessages = (m: MessageV1[]) =>
  m.filter((x): x is Extract<MessageV1, { role: 'tool' }> => x.role === 'tool');

describe('runLlmLoop', () => {
  it('returns the first answer when the provider calls no tool', async () => {
    const provider: ProviderV1 = {
      specificationVersion: 'v1',
      id: 'p',
      doGenerate: () => Promise.resolve({ text: 'hello', toolCalls: [], finishReason: 'stop' }),
    };
    const r = await run(provider);
    expect(r).toMatchObject({ text: 'hello', iterations: 1, toolCalls: 0, budgetExhausted: false });
    expect(r.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('§6: max_iterations reached → one final call with tools: [] and the budget prompt', async () => {
    const provider = fakeProvider();
    const reasons: string[] = [];
    const r = await run(provider, { maxIterations: 3 }, { onBudgetExhausted: (why) => reasons.push(why) });
    expect(r).toMatchObject({ text: 'final', iterations: 3, toolCalls: 3, budgetExhausted: true });
    expect(reasons).toEqual(['max_iterations']);
    expect(provider.seen.map((s) => s.tools)).toEqual([['echo'], ['echo'], ['echo'], []]);
    const last = provider.seen[3]!.messages;
    expect(last.at(-1)).toEqual({ role: 'user', content: BUDGET_EXHAUSTED_PROMPT });
    expect(toolMessages(last).map((m) => m.content)).toEqual([
      '{"message":"m1"}',
      '{"message":"m2"}',
      '{"message":"m3"}',
    ]);
  });

  it('§6: max_tool_calls reached mid-round → the rest get "Not executed" errors, then the final call', async () => {
    const provider = fakeProvider(2);
    const outcomes: Array<[string, boolean]> = [];
    const reasons: string[] = [];
    const hooks: LoopHooks = {
      onToolOutcome: (call, o) => outcomes.push([call.id, o.ok]),
      onBudgetExhausted: (why) => reasons.push(why),
    };
    const r = await run(provider, { maxToolCalls: 3 }, hooks);
    expect(r).toMatchObject({ toolCalls: 3, iterations: 2, budgetExhausted: true, text: 'final' });
    expect(reasons).toEqual(['max_tool_calls']);
    expect(outcomes).toEqual([
      ['call-1', true],
      ['call-2', true],
      ['call-3', true],
      ['call-4', false],
    ]);
    expect(provider.seen).toHaveLength(3);
    expect(provider.seen[2]!.tools).toEqual([]);
    const skipped = toolMessages(provider.seen[2]!.messages)[3]!;
    expect(skipped).toMatchObject({ toolCallId: 'call-4', isError: true });
    expect(skipped.content).toMatch(/^Not executed/);
    expect(r.lastRoundFailure).toBeUndefined(); // one call in that round succeeded
  });

  it('§6: max_tool_calls = 0 → an immediate tool-less call', async () => {
    const provider = fakeProvider();
    const reasons: string[] = [];
    const r = await run(provider, { maxToolCalls: 0 }, { onBudgetExhausted: (why) => reasons.push(why) });
    expect(r).toMatchObject({ text: 'final', iterations: 0, toolCalls: 0, budgetExhausted: true });
    expect(reasons).toEqual(['max_tool_calls']);
    expect(provider.seen).toHaveLength(1);
    expect(provider.seen[0]!.tools).toEqual([]);
    expect(provider.seen[0]!.messages.map((m) => m.role)).toEqual(['user', 'user']);
  });

  it('runs several tool calls of one turn in order and answers each by id', async () => {
    const provider = fakeProvider(3);
    await run(provider, { maxIterations: 1 });
    const msgs = provider.seen[1]!.messages;
    expect(msgs.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'tool', 'user']);
    const assistant = msgs[1] as Extract<MessageV1, { role: 'assistant' }>;
    expect(assistant.toolCalls?.map((c) => c.id)).toEqual(['call-1', 'call-2', 'call-3']);
    expect(toolMessages(msgs).map((m) => [m.toolCallId, m.toolName, m.isError])).toEqual([
      ['call-1', 'echo', false],
      ['call-2', 'echo', false],
      ['call-3', 'echo', false],
    ]);
  });

  it('NFR-005: a round where every call fails is reported as lastRoundFailure', async () => {
    const r = await run(fakeProvider(2, 'forbidden'), { maxIterations: 1 });
    expect(r.lastRoundFailure?.code).toBe('AGENT_ERR_TOOL_NOT_ALLOWED');
  });

  it('sums usage over every call, including the final one, and reports each response', async () => {
    const usages: unknown[] = [];
    const r = await run(fakeProvider(), { maxIterations: 2 }, { onLlmResponse: (r) => usages.push(r.usage) });
    expect(r.usage).toEqual({ inputTokens: 30, outputTokens: 6 });
    expect(usages).toHaveLength(3);
  });

  it('offers no tools when none are configured', async () => {
    const provider = fakeProvider();
    const r = await run(provider, {}, {}, tools(''));
    expect(r).toMatchObject({ text: 'final', budgetExhausted: false, iterations: 1 });
    expect(provider.seen[0]!.tools).toEqual([]);
  });

  it('passes the system prompt and the task; omits system when unset', async () => {
    const provider = fakeProvider();
    await run(provider, { systemPrompt: 'Be brief', maxIterations: 1 });
    expect(provider.seen[0]).toMatchObject({
      system: 'Be brief',
      task: { instruction: 'Do it', input: { a: 1 } },
    });
    expect(provider.seen[0]!.messages[0]).toEqual({ role: 'user', content: 'Do it\n\n{\n  "a": 1\n}' });
    const bare = fakeProvider();
    await run(bare, { maxIterations: 1 });
    expect(bare.seen[0]!.system).toBeUndefined();
  });

  it('wraps a plain provider Error as AGENT_ERR_PROVIDER_REQUEST_FAILED with cause', async () => {
    const cause = new Error('socket hang up');
    const provider: ProviderV1 = {
      specificationVersion: 'v1',
      id: 'fake',
      doGenerate: () => Promise.reject(cause),
    };
    const err: unknown = await run(provider).catch((e: unknown) => e);
    expect(AgentError.is(err, 'AGENT_ERR_PROVIDER_REQUEST_FAILED')).toBe(true);
    expect((err as AgentError).data).toEqual({ provider: 'fake', reason: 'socket hang up' });
    expect((err as AgentError).cause).toBe(cause);
  });

  it('wraps a non-Error throw, and passes an AgentError through unchanged', async () => {
    const throwsString: ProviderV1 = {
      specificationVersion: 'v1',
      id: 'p',
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a provider that rejects with a non-Error
      doGenerate: () => Promise.reject('nope'),
    };
    const err: unknown = await run(throwsString).catch((e: unknown) => e);
    expect((err as AgentError).data).toEqual({ provider: 'p', reason: 'nope' });
    const own = new ERR_PROVIDER_VERIFY_FAILED({ provider: 'p', reason: 'r' });
    const throwsOwn: ProviderV1 = {
      specificationVersion: 'v1',
      id: 'p',
      doGenerate: () => Promise.reject(own),
    };
    await expect(run(throwsOwn)).rejects.toBe(own);
  });
});

describe('taskPrompt', () => {
  it.each([
    ['Summarise', 'the text', 'Summarise\n\nthe text'],
    ['Summarise', { text: 'x' }, 'Summarise\n\n{\n  "text": "x"\n}'],
    ['Summarise', null, 'Summarise'],
    ['Summarise', undefined, 'Summarise'],
    [null, 'only input', 'only input'],
    ['', [1], '[\n  1\n]'],
    [undefined, 0, '0'],
    [null, null, ''],
  ])('taskPrompt(%j, %j)', (instruction, input, expected) => {
    expect(taskPrompt(instruction, input)).toBe(expected);
  });
});
