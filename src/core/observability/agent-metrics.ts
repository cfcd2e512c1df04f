// What an agent counts: tasks, LLM calls, tool calls, MQTT, reloads. Names are those of the
// Prometheus exposition (all prefixed agent2389_); docs/observability.md lists each with its labels.
import { CounterFamily, GaugeFamily, HistogramFamily, type AnyFamily } from './metric-store.js';

const SECONDS_TASK = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const SECONDS_LLM = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const SECONDS_TOOL = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** How a task ended: published a response, forwarded, failed (error published), or never ran. */
export type TaskOutcomeLabel = 'responded' | 'forwarded' | 'failed' | 'rejected' | 'discarded';
/** How a tool call ended. `truncated`: its output was cut or it wrote past its output cap. */
export type ToolOutcomeLabel = 'ok' | 'truncated' | 'timeout' | 'error';
export type ReloadOutcomeLabel = 'applied' | 'unchanged' | 'rejected';

/** Live values the agent owns, read when metrics are collected. */
export interface MetricSources {
  inFlight(): number;
  queued(): number;
  mqttConnected(): boolean;
  generation(): number;
}

const ms = (seconds: number): number => Math.round(seconds * 1e6) / 1e3;

export class AgentMetrics {
  readonly started = Date.now();
  readonly tasksReceived = new CounterFamily(
    'agent2389_tasks_received_total',
    'Task messages received on the input topic',
    [],
  );
  readonly tasks = new CounterFamily(
    'agent2389_tasks_total',
    'Tasks by outcome and wire error code ("" when none)',
    ['outcome', 'code'],
  );
  readonly taskDuration = new HistogramFamily(
    'agent2389_task_duration_seconds',
    'Time from a task starting to its response, forward or error',
    ['outcome'],
    SECONDS_TASK,
  );
  readonly budgetExhausted = new CounterFamily(
    'agent2389_budget_exhausted_total',
    'Tasks whose tool or iteration budget ran out',
    ['reason'],
  );
  readonly llmCalls = new CounterFamily(
    'agent2389_llm_requests_total',
    'LLM calls by provider, model and outcome (ok | error)',
    ['provider', 'model', 'outcome'],
  );
  readonly llmDuration = new HistogramFamily(
    'agent2389_llm_request_duration_seconds',
    'LLM call duration',
    ['provider', 'model'],
    SECONDS_LLM,
  );
  readonly llmTokens = new CounterFamily(
    'agent2389_llm_tokens_total',
    'Tokens reported by the provider, by direction (input | output)',
    ['provider', 'model', 'direction'],
  );
  readonly toolCalls = new CounterFamily(
    'agent2389_tool_calls_total',
    'Tool calls by tool and outcome (ok | truncated | timeout | error)',
    ['tool', 'outcome'],
  );
  readonly toolDuration = new HistogramFamily(
    'agent2389_tool_call_duration_seconds',
    'Tool call duration, validation and sandbox included',
    ['tool'],
    SECONDS_TOOL,
  );
  readonly mqttReceived = new CounterFamily(
    'agent2389_mqtt_messages_received_total',
    'MQTT messages received',
    [],
  );
  readonly mqttPublished = new CounterFamily(
    'agent2389_mqtt_messages_published_total',
    'MQTT messages published (acknowledged by the broker)',
    [],
  );
  readonly mqttPublishFailures = new CounterFamily(
    'agent2389_mqtt_publish_failures_total',
    'MQTT publishes that failed',
    [],
  );
  readonly mqttDisconnects = new CounterFamily(
    'agent2389_mqtt_disconnects_total',
    'Losses of the broker connection',
    [],
  );
  readonly mqttReconnects = new CounterFamily(
    'agent2389_mqtt_reconnects_total',
    'Reconnections after a loss',
    [],
  );
  readonly progressPublished = new CounterFamily(
    'agent2389_progress_events_total',
    'Progress events published, by event',
    ['event'],
  );
  readonly progressDropped = new CounterFamily(
    'agent2389_progress_events_dropped_total',
    'Progress events dropped by [progress] max_events_per_second, by event',
    ['event'],
  );
  readonly reloads = new CounterFamily(
    'agent2389_reloads_total',
    'Config reloads by outcome (applied | unchanged | rejected)',
    ['outcome'],
  );
  readonly internalErrors = new CounterFamily(
    'agent2389_internal_errors_total',
    'Failures that are bugs or broken invariants (a throwing listener, an unexpected rejection), by where they happened',
    ['where'],
  );
  readonly #gauges: GaugeFamily[];

  constructor(readonly sources: MetricSources) {
    this.#gauges = [
      new GaugeFamily('agent2389_tasks_in_flight', 'Tasks running now', () => sources.inFlight()),
      new GaugeFamily('agent2389_tasks_queued', 'Tasks accepted and waiting for a slot', () =>
        sources.queued(),
      ),
      new GaugeFamily('agent2389_mqtt_connected', '1 while connected to the broker', () =>
        sources.mqttConnected() ? 1 : 0,
      ),
      new GaugeFamily('agent2389_config_generation', 'The configuration generation new tasks run on', () =>
        sources.generation(),
      ),
    ];
  }

  /** Every family, for the Prometheus exposition. */
  families(): AnyFamily[] {
    return [
      this.tasksReceived,
      this.tasks,
      this.taskDuration,
      this.budgetExhausted,
      this.llmCalls,
      this.llmDuration,
      this.llmTokens,
      this.toolCalls,
      this.toolDuration,
      this.mqttReceived,
      this.mqttPublished,
      this.mqttPublishFailures,
      this.mqttDisconnects,
      this.mqttReconnects,
      this.progressPublished,
      this.progressDropped,
      this.reloads,
      this.internalErrors,
      ...this.#gauges,
    ];
  }

  taskFinished(outcome: TaskOutcomeLabel, code: string, durationMs?: number): void {
    this.tasks.inc({ outcome, code });
    if (durationMs !== undefined) this.taskDuration.observe({ outcome }, durationMs / 1000);
  }

  llmCall(
    provider: string,
    model: string,
    ok: boolean,
    durationMs: number,
    tokens?: { inputTokens: number; outputTokens: number },
  ): void {
    this.llmCalls.inc({ provider, model, outcome: ok ? 'ok' : 'error' });
    this.llmDuration.observe({ provider, model }, durationMs / 1000);
    if (tokens) {
      this.llmTokens.inc({ provider, model, direction: 'input' }, tokens.inputTokens);
      this.llmTokens.inc({ provider, model, direction: 'output' }, tokens.outputTokens);
    }
  }

  toolCall(tool: string, outcome: ToolOutcomeLabel, durationMs: number): void {
    this.toolCalls.inc({ tool, outcome });
    this.toolDuration.observe({ tool }, durationMs / 1000);
  }

  /** The JSON of /metrics: SEED.md's "Key Metrics" shape, with real values. */
  toJSON(): Record<string, unknown> {
    const t = this.taskDuration.totals();
    const done = this.tasks.total({ outcome: 'responded' }) + this.tasks.total({ outcome: 'forwarded' });
    const tools = this.toolDuration.totals();
    const llm = this.llmDuration.totals();
    const byTool: Record<string, Record<string, number>> = {};
    for (const s of this.toolCalls.all()) {
      const entry = (byTool[s.labels.tool!] ??= { ok: 0, truncated: 0, timeout: 0, error: 0 });
      entry[s.labels.outcome!] = (entry[s.labels.outcome!] ?? 0) + s.value;
    }
    return {
      uptime_seconds: Math.round((Date.now() - this.started) / 1000),
      generation: this.sources.generation(),
      tasks: {
        tasks_received: this.tasksReceived.total(),
        tasks_completed: done,
        tasks_responded: this.tasks.total({ outcome: 'responded' }),
        tasks_forwarded: this.tasks.total({ outcome: 'forwarded' }),
        tasks_failed: this.tasks.total({ outcome: 'failed' }),
        tasks_rejected: this.tasks.total({ outcome: 'rejected' }),
        tasks_discarded: this.tasks.total({ outcome: 'discarded' }),
        tasks_processing: this.sources.inFlight(),
        tasks_queued: this.sources.queued(),
        budget_exhausted: this.budgetExhausted.total(),
        avg_processing_time_ms: t.count ? ms(t.sum / t.count) : 0,
        processing_time_p50_ms: ms(this.taskDuration.quantile(0.5)),
        processing_time_p95_ms: ms(this.taskDuration.quantile(0.95)),
        processing_time_p99_ms: ms(this.taskDuration.quantile(0.99)),
        errors_by_code: this.#errorsByCode(),
      },
      llm: {
        requests: llm.count,
        failures: this.llmCalls.total({ outcome: 'error' }),
        avg_request_time_ms: llm.count ? ms(llm.sum / llm.count) : 0,
        input_tokens: this.llmTokens.total({ direction: 'input' }),
        output_tokens: this.llmTokens.total({ direction: 'output' }),
      },
      mqtt: {
        connected: this.sources.mqttConnected(),
        messages_received: this.mqttReceived.total(),
        messages_published: this.mqttPublished.total(),
        publish_failures: this.mqttPublishFailures.total(),
        connection_failures: this.mqttDisconnects.total(),
        reconnects: this.mqttReconnects.total(),
      },
      tools: {
        total_executions: tools.count,
        failures: this.toolCalls.total({ outcome: 'error' }),
        timeouts: this.toolCalls.total({ outcome: 'timeout' }),
        truncated: this.toolCalls.total({ outcome: 'truncated' }),
        avg_execution_time_ms: tools.count ? ms(tools.sum / tools.count) : 0,
        execution_time_p95_ms: ms(this.toolDuration.quantile(0.95)),
        by_tool: byTool,
      },
      progress: {
        published: this.progressPublished.total(),
        dropped: this.progressDropped.total(),
      },
      reloads: {
        applied: this.reloads.total({ outcome: 'applied' }),
        unchanged: this.reloads.total({ outcome: 'unchanged' }),
        rejected: this.reloads.total({ outcome: 'rejected' }),
      },
      internal_errors: this.internalErrors.total(),
    };
  }

  #errorsByCode(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.tasks.all())
      if (s.labels.code) out[s.labels.code] = (out[s.labels.code] ?? 0) + s.value;
    return out;
  }
}
