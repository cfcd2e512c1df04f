// What an agent counts: tasks, LLM calls, tool calls, MQTT, reloads. Names are those of the
// Prometheus exposition (all prefixed agent2389_); docs/observability.md lists each with its labels.
// The values live in prom-client, in this agent's own Registry; the JSON view is read back from it.
import { Registry } from 'prom-client';

import {
  CounterFamily,
  GaugeFamily,
  GaugeSeriesFamily,
  HistogramFamily,
  type AnyFamily,
} from './metric-store.js';
import { mcpJson, type McpServerReading } from './mcp-metrics-view.js';
import {
  histogramQuantile,
  histogramTotals,
  seriesOf,
  sumOf,
  type Labels,
  type MetricJson,
} from './metrics-view.js';

const SECONDS_TASK = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const SECONDS_LLM = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const SECONDS_ROUTING = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const SECONDS_TOOL = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** How a task ended: published a response, forwarded, failed (error published), or never ran. */
export type TaskOutcomeLabel = 'responded' | 'forwarded' | 'failed' | 'rejected' | 'discarded';
/** How a tool call ended. `truncated`: its output was cut or it wrote past its output cap. */
export type ToolOutcomeLabel = 'ok' | 'truncated' | 'timeout' | 'error';
export type ReloadOutcomeLabel = 'applied' | 'unchanged' | 'rejected';
/** How a routing decision ended (docs/routing.md). */
export type RoutingOutcomeLabel = 'complete' | 'forward' | 'max_iterations' | 'error';

/** Live values the agent owns, read when metrics are collected. */
export interface MetricSources {
  inFlight(): number;
  queued(): number;
  /** Task messages received and not started, in memory (at most max_concurrent_tasks + prefetch_tasks while the spool works). */
  held(): number;
  /** Task messages received and not started, waiting in the spool file. */
  spooled(): number;
  mqttConnected(): boolean;
  generation(): number;
  /** The MCP servers of the generation new tasks run on (none when absent). */
  mcpServers?(): readonly McpServerReading[];
}

/** The gauges' names, read back by the JSON view. */
const GAUGE = {
  inFlight: 'agent2389_tasks_in_flight',
  queued: 'agent2389_tasks_queued',
  held: 'agent2389_tasks_held',
  spooled: 'agent2389_tasks_spooled',
  connected: 'agent2389_mqtt_connected',
  generation: 'agent2389_config_generation',
  mcpUp: 'agent2389_mcp_server_up',
} as const;

export type { McpServerReading } from './mcp-metrics-view.js';

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
  readonly routingDecisions = new CounterFamily(
    'agent2389_routing_decisions_total',
    'Routing decisions after v2 tasks, by router (llm | gatekeeper) and outcome (complete | forward | max_iterations | error)',
    ['router', 'outcome'],
  );
  readonly routingDuration = new HistogramFamily(
    'agent2389_routing_duration_seconds',
    'Time the router took to decide (checks of its answer included)',
    ['router'],
    SECONDS_ROUTING,
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
  readonly mcpRestarts = new CounterFamily(
    'agent2389_mcp_server_restarts_total',
    'Restart attempts of an MCP server (after a crash, or a lazy start that failed), by server',
    ['server'],
  );
  readonly #gauges: Array<GaugeFamily | GaugeSeriesFamily>;
  /** Servers whose restarts are counted (each once, however many generations share its plugin set). */
  readonly #mcpWatched = new WeakSet<McpServerReading>();

  /** Where every family's values are kept: read by the JSON view and the Prometheus exposition. */
  readonly registry = new Registry();

  constructor(readonly sources: MetricSources) {
    this.#gauges = [
      new GaugeFamily(GAUGE.inFlight, 'Tasks running now', () => sources.inFlight()),
      new GaugeFamily(GAUGE.queued, 'Tasks accepted and waiting for a slot', () => sources.queued()),
      new GaugeFamily(
        GAUGE.held,
        'Task messages taken in and not started (parsed; at most max_concurrent_tasks + prefetch_tasks; unacknowledged)',
        () => sources.held(),
      ),
      new GaugeFamily(
        GAUGE.spooled,
        'Task messages received and waiting as they came for room: in memory up to 16 x max_message_bytes, then in the spool file (unacknowledged)',
        () => sources.spooled(),
      ),
      new GaugeFamily(GAUGE.connected, '1 while connected to the broker', () =>
        sources.mqttConnected() ? 1 : 0,
      ),
      new GaugeFamily(GAUGE.generation, 'The configuration generation new tasks run on', () =>
        sources.generation(),
      ),
      new GaugeSeriesFamily(
        GAUGE.mcpUp,
        '1 while an MCP server of the serving generation is up (0: idle, starting, down or closed)',
        ['server'],
        () =>
          (sources.mcpServers?.() ?? []).map((s) => ({
            labels: { server: s.server },
            value: s.state === 'up' ? 1 : 0,
          })),
      ),
    ];
    for (const f of this.families()) this.registry.registerMetric(f.metric);
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
      this.routingDecisions,
      this.routingDuration,
      this.mqttReceived,
      this.mqttPublished,
      this.mqttPublishFailures,
      this.mqttDisconnects,
      this.mqttReconnects,
      this.progressPublished,
      this.progressDropped,
      this.reloads,
      this.internalErrors,
      this.mcpRestarts,
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

  /** A routing decision; `durationMs` when the router was asked (not at max_iterations). */
  routingDecision(router: string, outcome: RoutingOutcomeLabel, durationMs?: number): void {
    this.routingDecisions.inc({ router, outcome });
    if (durationMs !== undefined) this.routingDuration.observe({ router }, durationMs / 1000);
  }

  /** Count the restart attempts of `servers` (a plugin set's) from now on, and those made so far. Idempotent. */
  watchMcpServers(servers: readonly McpServerReading[]): void {
    for (const s of servers) {
      if (this.#mcpWatched.has(s)) continue;
      this.#mcpWatched.add(s);
      let counted = s.restarts;
      this.mcpRestarts.inc({ server: s.server }, counted); // by 0 too: the series shows from the start
      s.onStateChange(() => {
        const now = s.restarts;
        if (now <= counted) return;
        this.mcpRestarts.inc({ server: s.server }, now - counted);
        counted = now;
      });
    }
  }

  /**
   * The JSON of /metrics: the Rust version's "Key Metrics" shape (docs/observability.md), read from
   * the registry (every value, the gauges included, is what the Prometheus exposition would show at
   * the same moment).
   */
  async snapshot(): Promise<Record<string, unknown>> {
    const byName = new Map((await this.registry.getMetricsAsJSON()).map((m) => [m.name, m]));
    const of = (f: AnyFamily | string): MetricJson | undefined =>
      byName.get(typeof f === 'string' ? f : f.name);
    const total = (f: CounterFamily | string, match?: Labels): number => sumOf(of(f), match);
    const avgMs = (t: { count: number; sum: number }): number => (t.count ? ms(t.sum / t.count) : 0);
    const taskP = (q: number): number => ms(histogramQuantile(of(this.taskDuration), q));
    const byTool: Record<string, Record<string, number>> = {};
    for (const { labels, value } of seriesOf(of(this.toolCalls))) {
      const entry = (byTool[labels.tool ?? ''] ??= { ok: 0, truncated: 0, timeout: 0, error: 0 });
      entry[labels.outcome ?? ''] = (entry[labels.outcome ?? ''] ?? 0) + value;
    }
    const errorsByCode: Record<string, number> = {};
    for (const { labels, value } of seriesOf(of(this.tasks)))
      if (labels.code) errorsByCode[labels.code] = (errorsByCode[labels.code] ?? 0) + value;
    const llm = histogramTotals(of(this.llmDuration));
    const tools = histogramTotals(of(this.toolDuration));
    const outcome = (f: CounterFamily, o: string): number => total(f, { outcome: o });
    return {
      uptime_seconds: Math.round((Date.now() - this.started) / 1000),
      generation: total(GAUGE.generation),
      tasks: {
        tasks_received: total(this.tasksReceived),
        tasks_completed: outcome(this.tasks, 'responded') + outcome(this.tasks, 'forwarded'),
        tasks_responded: outcome(this.tasks, 'responded'),
        tasks_forwarded: outcome(this.tasks, 'forwarded'),
        tasks_failed: outcome(this.tasks, 'failed'),
        tasks_rejected: outcome(this.tasks, 'rejected'),
        tasks_discarded: outcome(this.tasks, 'discarded'),
        tasks_processing: total(GAUGE.inFlight),
        tasks_queued: total(GAUGE.queued),
        tasks_held: total(GAUGE.held),
        tasks_spooled: total(GAUGE.spooled),
        budget_exhausted: total(this.budgetExhausted),
        avg_processing_time_ms: avgMs(histogramTotals(of(this.taskDuration))),
        processing_time_p50_ms: taskP(0.5),
        processing_time_p95_ms: taskP(0.95),
        processing_time_p99_ms: taskP(0.99),
        errors_by_code: errorsByCode,
      },
      llm: {
        requests: llm.count,
        failures: outcome(this.llmCalls, 'error'),
        avg_request_time_ms: avgMs(llm),
        input_tokens: total(this.llmTokens, { direction: 'input' }),
        output_tokens: total(this.llmTokens, { direction: 'output' }),
      },
      mqtt: {
        connected: total(GAUGE.connected) === 1,
        messages_received: total(this.mqttReceived),
        messages_published: total(this.mqttPublished),
        publish_failures: total(this.mqttPublishFailures),
        connection_failures: total(this.mqttDisconnects),
        reconnects: total(this.mqttReconnects),
      },
      tools: {
        total_executions: tools.count,
        failures: outcome(this.toolCalls, 'error'),
        timeouts: outcome(this.toolCalls, 'timeout'),
        truncated: outcome(this.toolCalls, 'truncated'),
        avg_execution_time_ms: avgMs(tools),
        execution_time_p95_ms: ms(histogramQuantile(of(this.toolDuration), 0.95)),
        by_tool: byTool,
      },
      progress: {
        published: total(this.progressPublished),
        dropped: total(this.progressDropped),
      },
      routing: {
        complete: outcome(this.routingDecisions, 'complete'),
        forward: outcome(this.routingDecisions, 'forward'),
        max_iterations: outcome(this.routingDecisions, 'max_iterations'),
        errors: outcome(this.routingDecisions, 'error'),
        avg_decision_time_ms: avgMs(histogramTotals(of(this.routingDuration))),
      },
      mcp: mcpJson(this.sources.mcpServers?.() ?? [], of(this.mcpRestarts)),
      reloads: {
        applied: outcome(this.reloads, 'applied'),
        unchanged: outcome(this.reloads, 'unchanged'),
        rejected: outcome(this.reloads, 'rejected'),
      },
      internal_errors: total(this.internalErrors),
    };
  }
}
