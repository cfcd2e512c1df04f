import { describe, expect, it } from 'vitest';

import type { LoopHooks } from '../../../src/core/agent/llm-loop.js';
import {
  observeTask,
  toolOutcomeLabel,
  type ObserverContext,
} from '../../../src/core/agent/task-observer.js';
import type { ToolOutcome } from '../../../src/core/agent/tool-runner.js';
import {
  ERR_PROVIDER_REQUEST_FAILED,
  ERR_TOOL_FAILED,
  ERR_TOOL_OUTPUT_TOO_LARGE,
  ERR_TOOL_TIMEOUT,
} from '../../../src/core/errors.js';
import { AgentMetrics } from '../../../src/core/observability/agent-metrics.js';
import type { ProgressEventName, TaskIds } from '../../../src/core/observability/progress.js';
import type { ToolCallV1 } from '@agent2389/tool-sdk';

const IDS: TaskIds = { taskId: '6f1c2f5e-0000-4000-8000-000000000001', conversationId: 'conv-1' };

interface Emitted {
  event: ProgressEventName;
  data: Record<string, unknown>;
  ids: TaskIds;
}

/** An ObserverContext that records what it is told, over real metrics with fixed sources. */
function fakeContext(over: Partial<ObserverContext> = {}) {
  const emitted: Emitted[] = [];
  const llmOutcomes: boolean[] = [];
  const hookErrors: Array<{ hook: string; err: unknown }> = [];
  const metrics = new AgentMetrics({
    inFlight: () => 1,
    queued: () => 0,
    held: () => 0,
    spooled: () => 0,
    mqttConnected: () => true,
    generation: () => 1,
  });
  const executors: Record<string, string> = { echo: 'module', pdf: 'subprocess', count: 'script' };
  const ctx: ObserverContext = {
    metrics,
    emit: (event, data, ids) => emitted.push({ event, data, ids }),
    verbosity: 'normal',
    provider: 'openai',
    model: 'gpt-4o',
    onLlmOutcome: (ok) => llmOutcomes.push(ok),
    executorOf: (tool) => executors[tool],
    onHookError: (hook, err) => hookErrors.push({ hook, err }),
    ...over,
  };
  return { ctx, emitted, llmOutcomes, metrics, hookErrors };
}

const call = (name: string, input: unknown = { text: 'hello' }): ToolCallV1 => ({
  id: `call-${name}`,
  name,
  input,
});

function outcome(over: Partial<ToolOutcome> = {}): ToolOutcome {
  return { ok: true, content: '"hi"', durationMs: 12.3456, truncated: false, executor: 'module', ...over };
}

/** Every hook of the loop, as the loop would call them for one round with one tool. */
function runOneRound(hooks: LoopHooks): void {
  hooks.onLlmRequest!({ iteration: 1, tools: 3, messages: 1 });
  hooks.onLlmResponse!({
    iteration: 1,
    durationMs: 250.12345,
    usage: { inputTokens: 100, outputTokens: 20 },
    finishReason: 'tool_calls',
    toolCalls: 1,
  });
  hooks.onToolCall!(call('echo'));
  hooks.onToolOutcome!(call('echo'), outcome());
}

describe('toolOutcomeLabel', () => {
  it.each<[string, Partial<ToolOutcome>, string]>([
    ['a success', { ok: true }, 'ok'],
    ['a success whose output was cut', { ok: true, truncated: true }, 'truncated'],
    ['a failure that timed out', { ok: false, timedOut: true }, 'timeout'],
    [
      'a failure coded AGENT_ERR_TOOL_TIMEOUT',
      { ok: false, error: new ERR_TOOL_TIMEOUT({ tool: 't', timeoutMs: 5 }) },
      'timeout',
    ],
    ['a failure whose output was cut', { ok: false, truncated: true }, 'truncated'],
    [
      'a failure coded AGENT_ERR_TOOL_OUTPUT_TOO_LARGE',
      { ok: false, error: new ERR_TOOL_OUTPUT_TOO_LARGE({ tool: 't', stream: 'stdout', limitBytes: 10 }) },
      'truncated',
    ],
    ['a timeout that also overflowed', { ok: false, timedOut: true, truncated: true }, 'timeout'],
    ['any other failure', { ok: false, error: new ERR_TOOL_FAILED({ tool: 't', reason: 'r' }) }, 'error'],
    ['a failure without an error', { ok: false }, 'error'],
  ])('labels %s %s', (_what, over, label) => {
    expect(toolOutcomeLabel(outcome(over))).toBe(label);
  });
});

describe('observeTask', () => {
  it('emits no llm_* events at verbosity normal, but the tool events with the task ids', () => {
    const { ctx, emitted } = fakeContext({ verbosity: 'normal' });
    runOneRound(observeTask(IDS, ctx));
    expect(emitted.map((e) => e.event)).toEqual(['tool_call', 'tool_result']);
    for (const e of emitted) expect(e.ids).toBe(IDS);
  });

  it('emits llm_request and llm_response from verbosity verbose on', () => {
    for (const verbosity of ['verbose', 'debug'] as const) {
      const { ctx, emitted } = fakeContext({ verbosity });
      runOneRound(observeTask(IDS, ctx));
      expect(emitted.map((e) => e.event)).toEqual([
        'llm_request',
        'llm_response',
        'tool_call',
        'tool_result',
      ]);
      expect(emitted[0]!.data).toEqual({ iteration: 1, tools: 3, messages: 1 });
      expect(emitted[1]!.data).toEqual({
        iteration: 1,
        duration_ms: 250,
        finish_reason: 'tool_calls',
        tool_calls: 1,
        input_tokens: 100,
        output_tokens: 20,
      });
    }
  });

  it('reports 0 tokens in llm_response when the provider gave no usage', () => {
    const { ctx, emitted } = fakeContext({ verbosity: 'verbose' });
    observeTask(IDS, ctx).onLlmResponse!({
      iteration: 2,
      durationMs: 5,
      usage: undefined,
      finishReason: 'stop',
      toolCalls: 0,
    });
    expect(emitted[0]!.data).toMatchObject({ input_tokens: 0, output_tokens: 0, finish_reason: 'stop' });
  });

  it('puts the sandbox from executorOf on tool_call ("none" when unknown), parameters only at debug', () => {
    const at = (verbosity: ObserverContext['verbosity'], tool: string): Record<string, unknown> => {
      const { ctx, emitted } = fakeContext({ verbosity });
      observeTask(IDS, ctx).onToolCall!(call(tool, { path: '/tmp/a.pdf' }));
      return emitted[0]!.data;
    };
    expect(at('normal', 'pdf')).toEqual({ tool: 'pdf', call_id: 'call-pdf', sandbox: 'subprocess' });
    expect(at('verbose', 'count')).toEqual({ tool: 'count', call_id: 'call-count', sandbox: 'script' });
    expect(at('normal', 'mystery')).toMatchObject({ sandbox: 'none' });
    expect(at('debug', 'pdf')).toEqual({
      tool: 'pdf',
      call_id: 'call-pdf',
      sandbox: 'subprocess',
      parameters: { path: '/tmp/a.pdf' },
    });
  });

  it('emits tool_result with duration, sandbox, mechanisms, outcome and truncated', () => {
    const { ctx, emitted } = fakeContext();
    observeTask(IDS, ctx).onToolOutcome!(
      call('pdf'),
      outcome({
        executor: 'subprocess',
        sandbox: ['rlimits', 'bubblewrap'],
        truncated: true,
        durationMs: 7.00049,
      }),
    );
    expect(emitted).toEqual([
      {
        event: 'tool_result',
        ids: IDS,
        data: {
          tool: 'pdf',
          call_id: 'call-pdf',
          duration_ms: 7,
          sandbox: 'subprocess',
          mechanisms: ['rlimits', 'bubblewrap'],
          outcome: 'truncated',
          truncated: true,
        },
      },
    ]);
  });

  it('leaves mechanisms out and says sandbox "none" when the tool did not run', () => {
    const { ctx, emitted } = fakeContext();
    observeTask(IDS, ctx).onToolOutcome!(
      call('echo'),
      outcome({ ok: false, executor: undefined, content: 'parameters invalid', durationMs: 0.2 }),
    );
    expect(emitted[0]!.event).toBe('tool_error');
    expect(emitted[0]!.data).toMatchObject({ sandbox: 'none', outcome: 'error', duration_ms: 0 });
    expect(emitted[0]!.data).not.toHaveProperty('mechanisms');
  });

  it('emits tool_error with code, redacted message, timed_out and the common fields', () => {
    const { ctx, emitted } = fakeContext();
    observeTask(IDS, ctx).onToolOutcome!(
      call('pdf'),
      outcome({
        ok: false,
        executor: 'subprocess',
        sandbox: ['rlimits'],
        timedOut: true,
        durationMs: 30_000.1234,
        error: new ERR_TOOL_TIMEOUT({ tool: 'pdf', timeoutMs: 30_000 }),
        content: 'timed out',
      }),
    );
    expect(emitted[0]).toEqual({
      event: 'tool_error',
      ids: IDS,
      data: {
        tool: 'pdf',
        call_id: 'call-pdf',
        duration_ms: 30_000,
        sandbox: 'subprocess',
        mechanisms: ['rlimits'],
        outcome: 'timeout',
        code: 'AGENT_ERR_TOOL_TIMEOUT',
        message: expect.stringContaining('30000') as unknown,
        timed_out: true,
      },
    });
  });

  it('redacts secrets and URLs in a tool_error message', () => {
    const { ctx, emitted } = fakeContext();
    observeTask(IDS, ctx).onToolOutcome!(
      call('http'),
      outcome({
        ok: false,
        executor: 'module',
        error: new ERR_TOOL_FAILED({
          tool: 'http',
          reason: 'GET https://internal.example.com/x?q=1 refused api_key=abc123',
        }),
      }),
    );
    const message = emitted[0]!.data.message as string;
    expect(message).not.toContain('abc123');
    expect(message).not.toContain('internal.example.com');
    expect(message).toContain('<url>');
    expect(emitted[0]!.data).toMatchObject({ code: 'AGENT_ERR_TOOL_FAILED', timed_out: false });
  });

  it('uses the content, redacted, and AGENT_ERR_TOOL_FAILED when a failure has no error', () => {
    const { ctx, emitted } = fakeContext();
    observeTask(IDS, ctx).onToolOutcome!(
      call('echo'),
      outcome({ ok: false, content: 'failed with token=zzz999 at /srv/app/tool.js' }),
    );
    expect(emitted[0]!.data).toMatchObject({ code: 'AGENT_ERR_TOOL_FAILED', timed_out: false });
    const message = emitted[0]!.data.message as string;
    expect(message).not.toContain('zzz999');
    expect(message).not.toContain('/srv/app');
  });

  it('redacts the error message of a failed LLM call in llm_response', () => {
    const { ctx, emitted } = fakeContext({ verbosity: 'verbose' });
    observeTask(IDS, ctx).onLlmError!({
      iteration: 3,
      durationMs: 1200.5,
      error: new ERR_PROVIDER_REQUEST_FAILED({
        provider: 'openai',
        reason: '401 from https://api.openai.com/v1/chat api_key=abc123',
      }),
    });
    expect(emitted).toHaveLength(1);
    expect(emitted[0]!.event).toBe('llm_response');
    const data = emitted[0]!.data as {
      iteration: number;
      duration_ms: number;
      error: { code: string; message: string };
    };
    expect(data.iteration).toBe(3);
    expect(data.duration_ms).toBe(1201); // whole milliseconds (duration-ms.ts)
    expect(data.error.code).toBe('AGENT_ERR_PROVIDER_REQUEST_FAILED');
    expect(data.error.message).not.toContain('abc123');
    expect(data.error.message).not.toContain('api.openai.com');
  });

  it('records LLM calls with the provider and model, tokens and outcomes, and tells onLlmOutcome', async () => {
    const { ctx, metrics, llmOutcomes } = fakeContext();
    const hooks = observeTask(IDS, ctx);
    hooks.onLlmResponse!({
      iteration: 1,
      durationMs: 250,
      usage: { inputTokens: 10, outputTokens: 4 },
      finishReason: 'stop',
      toolCalls: 0,
    });
    hooks.onLlmError!({
      iteration: 2,
      durationMs: 500,
      error: new ERR_PROVIDER_REQUEST_FAILED({ provider: 'openai', reason: '500' }),
    });
    expect(llmOutcomes).toEqual([true, false]);
    expect(await metrics.llmCalls.all()).toEqual([
      { labels: { provider: 'openai', model: 'gpt-4o', outcome: 'ok' }, value: 1 },
      { labels: { provider: 'openai', model: 'gpt-4o', outcome: 'error' }, value: 1 },
    ]);
    expect(await metrics.llmTokens.total({ provider: 'openai', direction: 'input' })).toBe(10);
    expect(await metrics.llmTokens.total({ direction: 'output' })).toBe(4);
    expect(await metrics.llmDuration.totals({ model: 'gpt-4o' })).toEqual({ count: 2, sum: 0.75 });
  });

  it('records a tool call only when the tool ran, with its outcome label', async () => {
    const { ctx, metrics } = fakeContext();
    const hooks = observeTask(IDS, ctx);
    hooks.onToolOutcome!(call('echo'), outcome({ durationMs: 250 }));
    hooks.onToolOutcome!(
      call('pdf'),
      outcome({ ok: false, executor: 'subprocess', timedOut: true, durationMs: 500 }),
    );
    hooks.onToolOutcome!(call('echo'), outcome({ ok: false, executor: undefined, content: 'not allowed' }));
    expect(await metrics.toolCalls.all()).toEqual([
      { labels: { tool: 'echo', outcome: 'ok' }, value: 1 },
      { labels: { tool: 'pdf', outcome: 'timeout' }, value: 1 },
    ]);
    expect(await metrics.toolDuration.totals()).toEqual({ count: 2, sum: 0.75 });
  });

  it('counts and reports an exhausted budget', async () => {
    const { ctx, emitted, metrics } = fakeContext();
    observeTask(IDS, ctx).onBudgetExhausted!('max_tool_calls', { toolCalls: 10, iterations: 4 });
    expect(await metrics.budgetExhausted.total({ reason: 'max_tool_calls' })).toBe(1);
    expect(emitted).toEqual([
      {
        event: 'budget_exhausted',
        ids: IDS,
        data: { reason: 'max_tool_calls', tool_calls: 10, iterations: 4 },
      },
    ]);
  });

  it('never lets a throwing emit out of a hook, and still records the metrics', async () => {
    const { ctx, metrics, llmOutcomes } = fakeContext({
      verbosity: 'debug',
      emit: () => {
        throw new Error('publish broke');
      },
    });
    const hooks = observeTask(IDS, ctx);
    expect(() => {
      runOneRound(hooks);
      hooks.onLlmError!({
        iteration: 2,
        durationMs: 1,
        error: new ERR_PROVIDER_REQUEST_FAILED({ provider: 'openai', reason: 'x' }),
      });
      hooks.onToolOutcome!(call('pdf'), outcome({ ok: false, executor: 'subprocess' }));
      hooks.onBudgetExhausted!('max_iterations', { toolCalls: 1, iterations: 5 });
    }).not.toThrow();
    expect(llmOutcomes).toEqual([true, false]);
    expect(await metrics.llmCalls.total()).toBe(2);
    expect(await metrics.toolCalls.total()).toBe(2);
    expect(await metrics.budgetExhausted.total()).toBe(1);
  });

  it('no hook throws, whatever part of the reporting fails; each failure goes to onHookError [FR-011]', () => {
    const boom = (): never => {
      throw new Error('broken reporter');
    };
    const { ctx, hookErrors } = fakeContext({ executorOf: boom, onLlmOutcome: boom, emit: boom });
    const hooks = observeTask(IDS, ctx);
    expect(() => hooks.onToolCall!(call('echo'))).not.toThrow();
    expect(() =>
      hooks.onLlmResponse!({
        iteration: 1,
        durationMs: 1,
        usage: undefined,
        finishReason: 'stop',
        toolCalls: 0,
      }),
    ).not.toThrow();
    expect(() => hooks.onToolOutcome!(call('echo'), outcome())).not.toThrow();
    expect(hookErrors.map((e) => e.hook)).toEqual(['onToolCall', 'onLlmResponse', 'onToolOutcome']);
    expect(hookErrors.every((e) => (e.err as Error).message === 'broken reporter')).toBe(true);
  });
});

describe('tool_progress', () => {
  it('reports a running call’s progress with its tool and call id', () => {
    const { ctx, emitted } = fakeContext();
    observeTask(IDS, ctx).onToolProgress?.(call('fs__copy'), { progress: 2, total: 5, message: 'copying' });
    expect(emitted).toEqual([
      {
        event: 'tool_progress',
        data: { tool: 'fs__copy', call_id: 'call-fs__copy', progress: 2, total: 5, message: 'copying' },
        ids: IDS,
      },
    ]);
  });

  it('leaves out an absent total and message', () => {
    const { ctx, emitted } = fakeContext();
    observeTask(IDS, ctx).onToolProgress?.(call('fs__copy'), { progress: 0.5 });
    expect(emitted[0]?.data).toEqual({ tool: 'fs__copy', call_id: 'call-fs__copy', progress: 0.5 });
  });

  it('a hostile message becomes one bounded line', () => {
    const { ctx, emitted } = fakeContext();
    const message = `line one\n\u001b[2J${'x'.repeat(100_000)}`;
    observeTask(IDS, ctx).onToolProgress?.(call('fs__copy'), { progress: 1, message });
    const shown = String(emitted[0]?.data.message);
    expect(shown).not.toContain('\n');
    expect(shown.length).toBeLessThanOrEqual(256);
    expect(shown.startsWith('line one ')).toBe(true);
  });
});
