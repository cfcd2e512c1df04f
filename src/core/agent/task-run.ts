// One accepted task on one generation, with its log lines and events; and intake outcomes that are
// not tasks (discarded, rejected).
import type { EventEmitter } from 'node:events';

import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { AgentMetrics } from '../observability/agent-metrics.js';
import { boundLogger } from '../observability/bound-logger.js';
import { wholeMs } from '../observability/duration-ms.js';
import type { ProgressEventName, TaskIds } from '../observability/progress.js';
import type { IntakeResult } from '../pipeline/intake.js';
import { redactErrorMessage } from '../protocol/redact.js';
import type { TaskEnvelope } from '../protocol/envelope.js';
import type { Peers, RoutingReport } from '../routing/route-task.js';
import type { InboundMessage } from '../transport/transport.js';
import type { AgentEvents } from './events.js';
import { reportInternalError } from './internal-error.js';
import type { LiveGeneration } from './live-generation.js';
import { observeTask } from './task-observer.js';
import { processTask, publishError } from './task-processor.js';

type Emitter = Pick<EventEmitter<AgentEvents>, 'emit' | 'listenerCount'>;

/**
 * Emit `name` only when someone listens: building the payload of every task for nobody costs. A
 * listener that throws is reported with `fields` (the task id) and counted; the task goes on [FR-011].
 */
function announce<K extends 'task:completed' | 'task:failed' | 'task:discarded'>(
  r: Pick<TaskReporting, 'log' | 'events' | 'metrics'>,
  name: K,
  payload: () => AgentEvents[K][0],
  fields: Record<string, unknown>,
): void {
  const { events } = r;
  if (events.listenerCount(name) === 0) return;
  try {
    (events.emit as (n: K, p: AgentEvents[K][0]) => boolean).call(events, name, payload());
  } catch (err) {
    reportInternalError({ log: r.log(), metrics: r.metrics }, 'task_listener', err, {
      ...fields,
      event: name,
    });
  }
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

/** A routing decision: logged, counted and sent as a `routing_decision` progress event. */
function reportRouting(r: TaskReporting, log: LoggerV1, ids: TaskIds, report: RoutingReport): void {
  log.info({ ...report }, 'routing decision');
  r.metrics.routingDecision(
    report.router,
    report.outcome,
    report.outcome === 'max_iterations' ? undefined : report.duration_ms,
  );
  r.progress('routing_decision', { ...report }, ids);
}

/**
 * Run `envelope` to its end on `gen` (whatever reloads happen meanwhile); never throws. Resolves true
 * once its answer (response, forward or error) is published, false if none could be. `peers`:
 * discovery, for routing ([routing] strategy other than "none").
 */
export async function runTask(
  envelope: TaskEnvelope,
  gen: LiveGeneration,
  r: TaskReporting,
  peers?: Peers,
): Promise<boolean> {
  const leave = gen.enter();
  try {
    const started = performance.now();
    const ids = { taskId: envelope.task_id, conversationId: envelope.conversation_id };
    const taskFields = { task_id: envelope.task_id, conversation_id: envelope.conversation_id };
    const log = boundLogger(r.log(), taskFields);
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
      onHookError: (hook, err) =>
        reportInternalError({ log, metrics: r.metrics }, 'task_hook', err, { hook }),
    });
    // Only a generation with a router routes: a v1-only agent builds nothing for it per task.
    const routing = peers &&
      gen.deps.routing?.router && {
        peers,
        onDecision: (report: RoutingReport) => reportRouting(r, log, ids, report),
      };
    const outcome = await processTask(envelope, gen.deps, {
      log,
      shutdownSignal: gen.signal,
      hooks,
      ...(routing ? { routing } : {}),
    });
    const elapsedMs = performance.now() - started; // exact for the metrics
    const durationMs = wholeMs(elapsedMs);
    if (outcome.status === 'failed') {
      const { code, message } = outcome;
      r.metrics.taskFinished('failed', code, elapsedMs);
      log.info({ outcome: 'failed', code, duration_ms: durationMs }, 'task finished');
      // Redacted as on the wire (the published error message is redacted when it is built).
      r.progress('task_failed', { code, message: redactErrorMessage(message), duration_ms: durationMs }, ids);
      announce(
        r,
        'task:failed',
        () => ({ ...ids, durationMs, code, message, stage: 'processing' }),
        taskFields,
      );
      return outcome.answered;
    }
    r.metrics.taskFinished(outcome.status, '', elapsedMs);
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
    if (outcome.status === 'forwarded')
      r.progress('task_forwarded', { to: outcome.forwardedTo ?? next, ...summary }, ids);
    else r.progress('task_completed', summary, ids);
    announce(r, 'task:completed', () => ({ ...ids, durationMs, ...outcome }), taskFields);
    return true;
  } finally {
    leave();
  }
}

/**
 * A message that is not a task to run: log it, publish the error if there is somewhere to, emit.
 * Resolves false only if an error was due and could not be published.
 */
export async function reportNotAccepted(
  result: Exclude<IntakeResult, { kind: 'accept' }>,
  msg: InboundMessage,
  gen: LiveGeneration,
  r: Pick<TaskReporting, 'log' | 'events' | 'metrics'>,
): Promise<boolean> {
  const log = r.log();
  r.metrics.taskFinished(
    result.kind === 'discard' ? 'discarded' : 'rejected',
    result.kind === 'discard' ? '' : result.code,
  );
  if (result.kind === 'discard') {
    const quiet = result.reason === 'duplicate task_id' || result.reason === 'retained message';
    log[quiet ? 'debug' : 'warn']({ topic: msg.topic, reason: result.reason }, 'message discarded');
    announce(r, 'task:discarded', () => ({ reason: result.reason, topic: msg.topic }), { topic: msg.topic });
    return true;
  }
  const { reply, code, message } = result;
  const ids = { task_id: reply?.taskId, conversation_id: reply?.conversationId };
  log.warn({ ...ids, code, reason: message }, 'task rejected');
  const published = reply
    ? publishError(gen.deps, reply, code, message).then(
        () => true,
        (err: unknown) => {
          log.error({ err, ...ids }, 'cannot publish error');
          return false;
        },
      )
    : Promise.resolve(true);
  announce(r, 'task:failed', () => ({ ...(reply ?? {}), code, message, stage: 'intake' }), {
    ...ids,
    topic: msg.topic,
  });
  return published;
}
