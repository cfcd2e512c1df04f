// The LLM <-> tool loop with the budgets of docs/protocol.md §6.
import type { LoggerV1, MessageV1, ProviderV1, ToolCallV1, UsageV1 } from '@agent2389/tool-sdk';
import { AgentError, ERR_PROVIDER_REQUEST_FAILED, reasonOf } from '../errors.js';
import type { Cancellation } from './task-cancellation.js';
import type { ToolRegistry } from './tool-registry.js';
import { runToolCall, type ToolOutcome, type ToolProgress } from './tool-runner.js';

export interface LoopSettings {
  readonly maxToolCalls: number;
  readonly maxIterations: number;
  readonly maxOutputBytes: number;
  readonly systemPrompt?: string | undefined;
}

export interface LlmRequestInfo {
  /** 1 for the first LLM round; the final call after a spent budget repeats the last number. */
  readonly iteration: number;
  readonly tools: number;
  readonly messages: number;
}

export interface LlmResponseInfo {
  readonly iteration: number;
  readonly durationMs: number;
  readonly usage: UsageV1 | undefined;
  readonly finishReason: string;
  readonly toolCalls: number;
}

/** What a task's loop reports as it goes (progress events, metrics); hooks must not throw. */
export interface LoopHooks {
  onLlmRequest?(info: LlmRequestInfo): void;
  onLlmResponse?(info: LlmResponseInfo): void;
  onLlmError?(info: { iteration: number; durationMs: number; error: AgentError }): void;
  onToolCall?(call: ToolCallV1): void;
  onToolOutcome?(call: ToolCallV1, outcome: ToolOutcome): void;
  /** A running call reported progress (MCP tools). */
  onToolProgress?(call: ToolCallV1, progress: ToolProgress): void;
  onBudgetExhausted?(
    reason: 'max_tool_calls' | 'max_iterations',
    spent: { toolCalls: number; iterations: number },
  ): void;
}

export interface LoopResult {
  readonly text: string;
  readonly iterations: number;
  readonly toolCalls: number;
  readonly budgetExhausted: boolean;
  /** The failure of the last tool round when every call in it failed (for tool_execution_failed). */
  readonly lastRoundFailure?: AgentError | undefined;
  readonly usage: UsageV1;
}

export const BUDGET_EXHAUSTED_PROMPT =
  'The tool budget for this task is spent. Do not call tools. Give your best final answer now from what you have.';

/** The user message for a task: the instruction, then the input (strings as-is, other JSON pretty-printed). */
export function taskPrompt(instruction: string | null | undefined, input: unknown): string {
  const parts: string[] = [];
  if (instruction) parts.push(instruction);
  if (input !== undefined && input !== null)
    parts.push(typeof input === 'string' ? input : JSON.stringify(input, null, 2));
  return parts.join('\n\n');
}

async function generate(
  provider: ProviderV1,
  req: Parameters<ProviderV1['doGenerate']>[0],
  cancellation: Cancellation,
) {
  try {
    // The signal is made only if the provider reads it (see task-cancellation.ts).
    return await provider.doGenerate(req, {
      get signal() {
        return cancellation.signal;
      },
    });
  } catch (err) {
    if (AgentError.is(err)) throw err;
    const reason = reasonOf(err);
    throw new ERR_PROVIDER_REQUEST_FAILED({ provider: provider.id, reason }, { cause: err });
  }
}

/** Ask the provider, run the tools it calls, repeat until a final answer or the budget is spent. */
export async function runLlmLoop(
  task: { instruction: string | null; input: unknown },
  provider: ProviderV1,
  tools: ToolRegistry,
  settings: LoopSettings,
  ctx: { cancellation: Cancellation; log: LoggerV1; hooks?: LoopHooks },
): Promise<LoopResult> {
  const messages: MessageV1[] = [{ role: 'user', content: taskPrompt(task.instruction, task.input) }];
  const usage = { inputTokens: 0, outputTokens: 0 };
  const descriptions = tools.descriptions;
  let iterations = 0;
  let toolCalls = 0;
  let lastRoundFailure: AgentError | undefined;
  const base = { ...(settings.systemPrompt ? { system: settings.systemPrompt } : {}), task };
  const hooks = ctx.hooks;
  const call = async (withTools: boolean) => {
    const tools = withTools ? descriptions : [];
    const iteration = Math.max(1, iterations);
    hooks?.onLlmRequest?.({ iteration, tools: tools.length, messages: messages.length });
    const started = performance.now();
    let result: Awaited<ReturnType<typeof generate>>;
    try {
      result = await generate(provider, { ...base, messages, tools }, ctx.cancellation);
    } catch (err) {
      const durationMs = performance.now() - started;
      if (AgentError.is(err)) hooks?.onLlmError?.({ iteration, durationMs, error: err });
      throw err;
    }
    usage.inputTokens += result.usage?.inputTokens ?? 0;
    usage.outputTokens += result.usage?.outputTokens ?? 0;
    hooks?.onLlmResponse?.({
      iteration,
      durationMs: performance.now() - started,
      usage: result.usage,
      finishReason: result.finishReason,
      toolCalls: result.toolCalls.length,
    });
    return result;
  };
  for (;;) {
    ctx.cancellation.throwIfAborted();
    const spent =
      iterations >= settings.maxIterations
        ? 'max_iterations'
        : toolCalls >= settings.maxToolCalls
          ? 'max_tool_calls'
          : undefined;
    if (spent) {
      hooks?.onBudgetExhausted?.(spent, { toolCalls, iterations });
      messages.push({ role: 'user', content: BUDGET_EXHAUSTED_PROMPT });
      const final = await call(false);
      return { text: final.text, iterations, toolCalls, budgetExhausted: true, lastRoundFailure, usage };
    }
    iterations++;
    const result = await call(descriptions.length > 0);
    if (result.toolCalls.length === 0) {
      return { text: result.text, iterations, toolCalls, budgetExhausted: false, lastRoundFailure, usage };
    }
    messages.push({ role: 'assistant', content: result.text, toolCalls: result.toolCalls });
    lastRoundFailure = undefined;
    let failures = 0;
    for (const tc of result.toolCalls) {
      ctx.cancellation.throwIfAborted();
      let outcome: ToolOutcome;
      if (toolCalls >= settings.maxToolCalls) {
        outcome = {
          ok: false,
          content: 'Not executed: the tool call budget for this task is spent.',
          durationMs: 0,
          truncated: false,
        };
      } else {
        toolCalls++;
        hooks?.onToolCall?.(tc);
        outcome = await runToolCall(tc, tools, {
          signal: ctx.cancellation.signal,
          log: ctx.log,
          maxOutputBytes: settings.maxOutputBytes,
          ...(hooks?.onToolProgress
            ? { onProgress: (p: ToolProgress) => hooks.onToolProgress?.(tc, p) }
            : {}),
        });
      }
      hooks?.onToolOutcome?.(tc, outcome);
      if (!outcome.ok) {
        failures++;
        lastRoundFailure = outcome.error ?? lastRoundFailure;
      }
      messages.push({
        role: 'tool',
        toolCallId: tc.id,
        toolName: tc.name,
        content: outcome.content,
        isError: !outcome.ok,
      });
    }
    if (failures < result.toolCalls.length) lastRoundFailure = undefined;
  }
}
