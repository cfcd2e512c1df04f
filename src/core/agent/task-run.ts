// One accepted task on one generation, with its log lines and events; and intake outcomes that are
// not tasks (discarded, rejected).
import type { EventEmitter } from 'node:events';

import type { LoggerV1 } from '../../../tool-sdk/src/index.js';
import type { AgentMetrics } from '../observability/agent-metrics.js';
import { boundLogger } from '../observability/bound-logger.js';
import type { ProgressEventName, TaskIds } from '../observability/progress.js';
import type { IntakeResult } from '../pipeline/intake.js';
import { redactErrorMessage } from '../protocol/redact.js';
import type { TaskEnvelope } from '../protocol/envelope.js';
import type { InboundMessage } from '../transport/transport.js';
import type { AgentEvents } from './events.js';
import type { LiveGeneration } from './live-generation.js';
import { observeTask } from './task-observer.js';
import { processTask, publishError } from './task-processor.js';

type Emitter = Pick<EventEmitter<AgentEvents>, 'emit' | 'listenerCount'>;

/** Emit `name` only when someone listens: building the payload of every task for nobody costs. */
function announce<K extends 'task:completed' | 'task:failed' | 'task:discarded'>(
  events: Emitter,
  name: K,
  payload: () => AgentEvents[K][0],
): void {
  if (events.listenerCount(name) > 0)
    (events.emit as (n: K, p: AgentEvents[K][0]) => boolean).call(events, name, payload());
}

/** What the agent gives a task to report with. */
export interface TaskReporting {
  /** The agent's logger now (it changes with the agent id). */
  log(): LoggerV1;
  readonly events: Emitter;
  readonly metrics: AgentMetrics;
  progress(event: ProgressEventName, data: Record<string, unknown>, ids: TaskIds): void;
  onLlmOutcome(ok: boolean): void;
}

const rounded = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Run `envelope` to its end on `gen` (whatever reloads happen meanwhile); never throws. */
export async function runTask(envelope: TaskEnvelope, gen: LiveGeneration, r: TaskReporting): Promise<void> {
  const leave = gen.enter();
  try {
    const started = performance.now();
    const ids = { taskId: envelope.task_id, conversationId: envelope.conversation_id };
    const log = boundLogger(r.log(), {
      task_id: envelope.task_id,
      conversation_id: envelope.conversation_id,
    });
    const { verbosity } = gen.config.progress;
    const debug = verbosity === 'debug';
    const next = envelope.next?.topic ?? null;
    log.debug(
      { instruction_chars: envelope.instruction?.length ?? 0, next, generation: gen.id },
      'task started',
    );
    r.progress(
      'task_started',
      { generation: gen.id, next, ...(debug ? { instruction: envelope.instruction ?? null } : {}) },
      ids,
    );
    const hooks = observeTask(ids, {
      metrics: r.metrics,
      emit: (event, data) => r.progress(event, data, ids),
      verbosity,
      provider: gen.provider.id,
      model: gen.config.llm.model,
      onLlmOutcome: (ok) => r.onLlmOutcome(ok),
      executorOf: (tool) => gen.plugins.set.tools.get(tool)?.executor,
    });
    const outcome = await processTask(envelope, gen.deps, { log, shutdownSignal: gen.signal, hooks });
    const durationMs = rounded(performance.now() - started);
    if (outcome.status === 'failed') {
      const { code, message } = outcome;
      r.metrics.taskFinished('failed', code, durationMs);
      log.info({ outcome: 'failed', code, duration_ms: durationMs }, 'task finished');
      // Redacted as on the wire (the published error message is redacted when it is built).
      r.progress('task_failed', { code, message: redactErrorMessage(message), duration_ms: durationMs }, ids);
      announce(r.events, 'task:failed', () => ({ ...ids, durationMs, code, message, stage: 'processing' }));
      return;
    }
    r.metrics.taskFinished(outcome.status, '', durationMs);
    const llmCalls = outcome.iterations + (outcome.budgetExhausted ? 1 : 0);
    log.info(
      {
        outcome: outcome.status,
        duration_ms: durationMs,
        tool_calls: outcome.toolCalls,
        llm_calls: llmCalls,
        input_tokens: outcome.usage.inputTokens,
        output_tokens: outcome.usage.outputTokens,
        budget_exhausted: outcome.budgetExhausted,
      },
      'task finished',
    );
    const summary = { duration_ms: durationMs, tool_calls: outcome.toolCalls, llm_calls: llmCalls };
    if (outcome.status === 'forwarded') r.progress('task_forwarded', { to: next, ...summary }, ids);
    else r.progress('task_completed', summary, ids);
    announce(r.events, 'task:completed', () => ({ ...ids, durationMs, ...outcome }));
  } finally {
    leave();
  }
}

/** A message that is not a task to run: log it, publish the error if there is somewhere to, emit. */
export function reportNotAccepted(
  result: Exclude<IntakeResult, { kind: 'accept' }>,
  msg: InboundMessage,
  gen: LiveGeneration,
  r: Pick<TaskReporting, 'log' | 'events' | 'metrics'>,
): void {
  const log = r.log();
  const { events } = r;
  r.metrics.taskFinished(
    result.kind === 'discard' ? 'discarded' : 'rejected',
    result.kind === 'discard' ? '' : result.code,
  );
  if (result.kind === 'discard') {
    const quiet = result.reason === 'duplicate task_id' || result.reason === 'retained message';
    log[quiet ? 'debug' : 'warn']({ topic: msg.topic, reason: result.reason }, 'message discarded');
    announce(events, 'task:discarded', () => ({ reason: result.reason, topic: msg.topic }));
    return;
  }
  const { reply, code, message } = result;
  const ids = { task_id: reply?.taskId, conversation_id: reply?.conversationId };
  log.warn({ ...ids, code, reason: message }, 'task rejected');
  if (reply) {
    publishError(gen.deps, reply, code, message).catch((err: unknown) =>
      log.error({ err, ...ids }, 'cannot publish error'),
    );
  }
  announce(events, 'task:failed', () => ({ ...(reply ?? {}), code, message, stage: 'intake' }));
}
