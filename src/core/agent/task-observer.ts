// What one task reports while it runs: progress events (docs/protocol.md §7) and metrics, from the loop's
// hooks. Never tool parameters or the instruction unless `[progress] verbosity = "debug"`; error
// messages are redacted like those on the wire.
import type { ToolCallV1 } from '@agent2389/tool-sdk';
import type { AgentMetrics, ToolOutcomeLabel } from '../observability/agent-metrics.js';
import { wholeMs } from '../observability/duration-ms.js';
import type { ProgressEventName, TaskIds } from '../observability/progress.js';
import { redactErrorMessage } from '../protocol/redact.js';
import type { LoopHooks } from './llm-loop.js';
import type { ToolOutcome } from './tool-runner.js';

export interface ObserverContext {
  readonly metrics: AgentMetrics;
  emit(event: ProgressEventName, data: Record<string, unknown>, ids: TaskIds): void;
  /** `[progress] verbosity`: llm_* events from `verbose` on, parameters only at `debug`. */
  readonly verbosity: 'normal' | 'verbose' | 'debug';
  readonly provider: string;
  readonly model: string;
  /** An LLM call succeeded (true) or failed (false): the provider health check counts failures in a row. */
  onLlmOutcome(ok: boolean): void;
  /** Where a tool runs (module, subprocess, script), if the agent has it. */
  executorOf(tool: string): string | undefined;
  /** A reporting hook threw: report it (log with the task id, count); the task goes on. */
  onHookError(hook: string, err: unknown): void;
}

export function toolOutcomeLabel(o: ToolOutcome): ToolOutcomeLabel {
  if (o.ok) return o.truncated ? 'truncated' : 'ok';
  if (o.timedOut || o.error?.code === 'AGENT_ERR_TOOL_TIMEOUT') return 'timeout';
  if (o.truncated || o.error?.code === 'AGENT_ERR_TOOL_OUTPUT_TOO_LARGE') return 'truncated';
  return 'error';
}

/** A progress message comes from the tool (hostile): one line of at most 256 characters. */
export function progressMessage(text: string): string {
  const line = text.slice(0, 1024).replace(/\s+/g, ' ').trim();
  return line.length > 256 ? `${line.slice(0, 255)}…` : line;
}

/** Every hook of `hooks`, made unable to throw: a broken metric or sink costs the report, not the task. */
function safe(hooks: Required<LoopHooks>, onError: ObserverContext['onHookError']): LoopHooks {
  const out: Record<string, (...args: never[]) => void> = {};
  for (const [name, hook] of Object.entries(hooks) as Array<[string, (...args: never[]) => void]>) {
    out[name] = (...args) => {
      try {
        hook(...args);
      } catch (err) {
        onError(name, err);
      }
    };
  }
  return out;
}

/** Loop hooks that report the task `ids`; a hook that throws is handed to `ctx.onHookError`. */
export function observeTask(ids: TaskIds, ctx: ObserverContext): LoopHooks {
  return safe(reportingHooks(ids, ctx), (hook, err) => ctx.onHookError(hook, err));
}

function reportingHooks(ids: TaskIds, ctx: ObserverContext): Required<LoopHooks> {
  const llmEvents = ctx.verbosity !== 'normal';
  const debug = ctx.verbosity === 'debug';
  const emit = (event: ProgressEventName, data: Record<string, unknown>): void => {
    if (!llmEvents && (event === 'llm_request' || event === 'llm_response')) return;
    ctx.emit(event, data, ids);
  };
  const { metrics, provider, model } = ctx;
  return {
    onLlmRequest: (i) =>
      emit('llm_request', { iteration: i.iteration, tools: i.tools, messages: i.messages }),
    onLlmResponse: (r) => {
      metrics.llmCall(provider, model, true, r.durationMs, r.usage);
      ctx.onLlmOutcome(true);
      emit('llm_response', {
        iteration: r.iteration,
        duration_ms: wholeMs(r.durationMs),
        finish_reason: r.finishReason,
        tool_calls: r.toolCalls,
        input_tokens: r.usage?.inputTokens ?? 0,
        output_tokens: r.usage?.outputTokens ?? 0,
      });
    },
    onLlmError: (e) => {
      metrics.llmCall(provider, model, false, e.durationMs);
      ctx.onLlmOutcome(false);
      emit('llm_response', {
        iteration: e.iteration,
        duration_ms: wholeMs(e.durationMs),
        error: { code: e.error.code, message: redactErrorMessage(e.error.message) },
      });
    },
    onToolCall: (call: ToolCallV1) =>
      emit('tool_call', {
        tool: call.name,
        call_id: call.id,
        sandbox: ctx.executorOf(call.name) ?? 'none',
        ...(debug ? { parameters: call.input } : {}),
      }),
    onToolOutcome: (call, o) => {
      const outcome = toolOutcomeLabel(o);
      if (o.executor !== undefined) metrics.toolCall(call.name, outcome, o.durationMs);
      const common = {
        tool: call.name,
        call_id: call.id,
        duration_ms: wholeMs(o.durationMs),
        sandbox: o.executor ?? 'none',
        ...(o.sandbox ? { mechanisms: o.sandbox } : {}),
        outcome,
      };
      if (o.ok) emit('tool_result', { ...common, truncated: o.truncated });
      else
        emit('tool_error', {
          ...common,
          code: o.error?.code ?? 'AGENT_ERR_TOOL_FAILED',
          message: redactErrorMessage(o.error?.message ?? o.content),
          timed_out: o.timedOut ?? false,
        });
    },
    onToolProgress: (call, p) =>
      emit('tool_progress', {
        tool: call.name,
        call_id: call.id,
        progress: p.progress,
        ...(p.total !== undefined ? { total: p.total } : {}),
        ...(p.message !== undefined ? { message: redactErrorMessage(progressMessage(p.message)) } : {}),
      }),
    onBudgetExhausted: (reason, spent) => {
      metrics.budgetExhausted.inc({ reason });
      emit('budget_exhausted', { reason, tool_calls: spent.toolCalls, iterations: spent.iterations });
    },
  };
}
