import { afterEach, describe, expect, it, vi } from 'vitest';

import { AgentMetrics, type MetricSources } from '../../../src/core/observability/agent-metrics.js';
import type { GaugeFamily } from '../../../src/core/observability/metric-store.js';

/** Sources whose values a test changes between reads. */
function fakeSources(): MetricSources & {
  state: {
    inFlight: number;
    queued: number;
    held: number;
    spooled: number;
    connected: boolean;
    generation: number;
  };
} {
  const state = { inFlight: 0, queued: 0, held: 0, spooled: 0, connected: false, generation: 1 };
  return {
    state,
    inFlight: () => state.inFlight,
    queued: () => state.queued,
    held: () => state.held,
    spooled: () => state.spooled,
    mqttConnected: () => state.connected,
    generation: () => state.generation,
  };
}

/** A known sequence of everything an agent counts. */
function recordKnownSequence(m: AgentMetrics): void {
  for (let i = 0; i < 7; i++) m.tasksReceived.inc();
  m.taskFinished('responded', '', 100);
  m.taskFinished('responded', '', 300);
  m.taskFinished('forwarded', '', 200);
  m.taskFinished('failed', 'tool_execution_failed', 400);
  m.taskFinished('failed', 'tool_execution_failed'); // no duration: counted, not timed
  m.taskFinished('rejected', 'invalid_input');
  m.taskFinished('discarded', '');
  m.budgetExhausted.inc({ reason: 'max_tool_calls' });
  m.budgetExhausted.inc({ reason: 'max_iterations' });

  m.llmCall('openai', 'gpt-4o', true, 1000, { inputTokens: 100, outputTokens: 20 });
  m.llmCall('openai', 'gpt-4o', false, 500);
  m.llmCall('anthropic', 'claude', true, 1500, { inputTokens: 50, outputTokens: 5 });

  m.toolCall('echo', 'ok', 10);
  m.toolCall('echo', 'ok', 30);
  m.toolCall('echo', 'timeout', 500);
  m.toolCall('http', 'error', 20);
  m.toolCall('http', 'truncated', 40);

  for (let i = 0; i < 6; i++) m.mqttReceived.inc();
  m.mqttPublished.inc({}, 4);
  m.mqttPublishFailures.inc();
  m.mqttDisconnects.inc({}, 2);
  m.mqttReconnects.inc();

  m.progressPublished.inc({ event: 'task_started' }, 3);
  m.progressPublished.inc({ event: 'tool_call' });
  m.progressDropped.inc({ event: 'tool_call' }, 2);

  m.reloads.inc({ outcome: 'applied' }, 2);
  m.reloads.inc({ outcome: 'unchanged' });
  m.reloads.inc({ outcome: 'rejected' });

  m.internalErrors.inc({ where: 'task_listener' }, 2);
  m.internalErrors.inc({ where: 'task' });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('AgentMetrics.snapshot', () => {
  it('reports every field from a known sequence of observations', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    const sources = fakeSources();
    Object.assign(sources.state, {
      inFlight: 2,
      queued: 3,
      held: 4,
      spooled: 6,
      connected: true,
      generation: 5,
    });
    const m = new AgentMetrics(sources);
    recordKnownSequence(m);
    vi.setSystemTime(new Date('2025-01-01T00:01:30.400Z'));

    expect(await m.snapshot()).toEqual({
      uptime_seconds: 90,
      generation: 5,
      tasks: {
        tasks_received: 7,
        tasks_completed: 3, // responded + forwarded
        tasks_responded: 2,
        tasks_forwarded: 1,
        tasks_failed: 2,
        tasks_rejected: 1,
        tasks_discarded: 1,
        tasks_processing: 2,
        tasks_queued: 3,
        tasks_held: 4,
        tasks_spooled: 6,
        budget_exhausted: 2,
        // durations 100, 300, 200, 400 ms (the two tasks without one are not averaged)
        avg_processing_time_ms: 250,
        // Estimated from the buckets (…, 0.1, 0.25, 0.5, … s) as Prometheus's histogram_quantile does:
        // 100 ≤ 0.1 s, 200 ≤ 0.25 s, 300 and 400 ≤ 0.5 s. p50 = rank 2 of 4, the top of the 0.1–0.25 bucket;
        // p95 = rank 3.8: 0.25 + 0.25 × (3.8 − 2) / 2; p99 = rank 3.96.
        processing_time_p50_ms: 250,
        processing_time_p95_ms: 475,
        processing_time_p99_ms: 495,
        errors_by_code: { tool_execution_failed: 2, invalid_input: 1 },
      },
      llm: {
        requests: 3,
        failures: 1,
        avg_request_time_ms: 1000,
        input_tokens: 150,
        output_tokens: 25,
      },
      mqtt: {
        connected: true,
        messages_received: 6,
        messages_published: 4,
        publish_failures: 1,
        connection_failures: 2,
        reconnects: 1,
      },
      tools: {
        total_executions: 5,
        failures: 1,
        timeouts: 1,
        truncated: 1,
        avg_execution_time_ms: 120, // (10 + 30 + 500 + 20 + 40) / 5
        // rank 4.75 of 5 lies in the 0.25–0.5 s bucket (the 500 ms call): 0.25 + 0.25 × 0.75
        execution_time_p95_ms: 437.5,
        by_tool: {
          echo: { ok: 2, truncated: 0, timeout: 1, error: 0 },
          http: { ok: 0, truncated: 1, timeout: 0, error: 1 },
        },
      },
      progress: { published: 4, dropped: 2 },
      routing: { complete: 0, forward: 0, max_iterations: 0, errors: 0, avg_decision_time_ms: 0 },
      reloads: { applied: 2, unchanged: 1, rejected: 1 },
      mcp: { servers_up: 0, restarts: 0, by_server: {} },
      internal_errors: 3,
    });
  });

  it('reports zeros, not NaN, before anything happened', async () => {
    const json = (await new AgentMetrics(fakeSources()).snapshot()) as {
      tasks: Record<string, unknown>;
      llm: Record<string, unknown>;
      tools: Record<string, unknown>;
    };
    expect(json.tasks).toMatchObject({
      tasks_completed: 0,
      avg_processing_time_ms: 0,
      processing_time_p50_ms: 0,
      processing_time_p99_ms: 0,
      errors_by_code: {},
    });
    expect(json.llm).toMatchObject({ requests: 0, avg_request_time_ms: 0 });
    expect(json.tools).toMatchObject({ total_executions: 0, avg_execution_time_ms: 0, by_tool: {} });
    expect(JSON.stringify(json)).not.toContain('null');
  });

  it('keeps sub-millisecond precision in ms (three decimals)', async () => {
    const m = new AgentMetrics(fakeSources());
    m.toolCall('fast', 'ok', 0.25);
    m.toolCall('fast', 'ok', 0.5);
    const tools = (await m.snapshot()).tools as Record<string, unknown>;
    expect(tools.avg_execution_time_ms).toBe(0.375);
    // both in the first bucket (≤ 1 ms): rank 1.9 of 2 → 0.95 of its width
    expect(tools.execution_time_p95_ms).toBe(0.95);
  });

  it('reads the sources at each call', async () => {
    const sources = fakeSources();
    const m = new AgentMetrics(sources);
    const before = await m.snapshot();
    Object.assign(sources.state, { inFlight: 4, queued: 9, connected: true, generation: 2 });
    const after = (await m.snapshot()) as {
      generation: number;
      tasks: Record<string, unknown>;
      mqtt: Record<string, unknown>;
    };
    expect(before).toMatchObject({
      generation: 1,
      tasks: { tasks_processing: 0, tasks_queued: 0 },
      mqtt: { connected: false },
    });
    expect(after).toMatchObject({
      generation: 2,
      tasks: { tasks_processing: 4, tasks_queued: 9 },
      mqtt: { connected: true },
    });
  });

  it('is plain JSON: JSON.stringify gives back the same object', async () => {
    const m = new AgentMetrics(fakeSources());
    recordKnownSequence(m);
    const json = await m.snapshot();
    expect(JSON.parse(JSON.stringify(json)) as unknown).toEqual(json);
  });
});

describe('AgentMetrics recording', () => {
  it('labels tasks by outcome and code, and times them by outcome in seconds', async () => {
    const m = new AgentMetrics(fakeSources());
    m.taskFinished('failed', 'processing_failed', 1500);
    expect(await m.tasks.all()).toEqual([
      { labels: { outcome: 'failed', code: 'processing_failed' }, value: 1 },
    ]);
    expect((await m.taskDuration.all())[0]).toMatchObject({
      labels: { outcome: 'failed' },
      value: { sum: 1.5 },
    });
  });

  it('counts LLM calls by provider, model and outcome, and tokens by direction', async () => {
    const m = new AgentMetrics(fakeSources());
    m.llmCall('openai', 'gpt-4o', true, 250, { inputTokens: 10, outputTokens: 3 });
    m.llmCall('openai', 'gpt-4o', false, 100);
    expect(await m.llmCalls.total({ provider: 'openai', model: 'gpt-4o', outcome: 'ok' })).toBe(1);
    expect(await m.llmCalls.total({ outcome: 'error' })).toBe(1);
    expect(await m.llmTokens.all()).toEqual([
      { labels: { provider: 'openai', model: 'gpt-4o', direction: 'input' }, value: 10 },
      { labels: { provider: 'openai', model: 'gpt-4o', direction: 'output' }, value: 3 },
    ]);
    expect(await m.llmDuration.totals({ provider: 'openai' })).toEqual({ count: 2, sum: 0.35 });
  });

  it('lists every family, each named agent2389_*, the gauges reading the sources', () => {
    const sources = fakeSources();
    const m = new AgentMetrics(sources);
    const families = m.families();
    const names = families.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^agent2389_[a-z0-9_]+$/);
    expect(names).toEqual(
      expect.arrayContaining([
        'agent2389_tasks_total',
        'agent2389_tool_calls_total',
        'agent2389_reloads_total',
        'agent2389_tasks_in_flight',
      ]),
    );
    const gauge = (name: string): number => (families.find((f) => f.name === name) as GaugeFamily).read();
    Object.assign(sources.state, {
      inFlight: 3,
      queued: 1,
      held: 2,
      spooled: 7,
      connected: true,
      generation: 8,
    });
    expect(gauge('agent2389_tasks_in_flight')).toBe(3);
    expect(gauge('agent2389_tasks_queued')).toBe(1);
    expect(gauge('agent2389_tasks_held')).toBe(2);
    expect(gauge('agent2389_tasks_spooled')).toBe(7);
    expect(gauge('agent2389_mqtt_connected')).toBe(1);
    expect(gauge('agent2389_config_generation')).toBe(8);
    sources.state.connected = false;
    expect(gauge('agent2389_mqtt_connected')).toBe(0);
  });
});

describe('AgentMetrics: routing', () => {
  it('counts decisions by router and outcome and times the ones the router made', async () => {
    const m = new AgentMetrics(fakeSources());
    m.routingDecision('gatekeeper', 'forward', 12);
    m.routingDecision('gatekeeper', 'forward', 30);
    m.routingDecision('llm', 'max_iterations');
    const text = await m.registry.metrics();
    expect(text).toContain('agent2389_routing_decisions_total{router="gatekeeper",outcome="forward"} 2');
    expect(text).toContain('agent2389_routing_decisions_total{router="llm",outcome="max_iterations"} 1');
    expect(text).toContain('agent2389_routing_duration_seconds_count{router="gatekeeper"} 2');
    expect(text).not.toContain('agent2389_routing_duration_seconds_count{router="llm"}');
  });

  it('shows the decisions in the JSON view, by outcome over every router', async () => {
    const m = new AgentMetrics(fakeSources());
    m.routingDecision('gatekeeper', 'forward', 12);
    m.routingDecision('llm', 'forward', 30);
    m.routingDecision('llm', 'complete', 60);
    m.routingDecision('gatekeeper', 'error', 6);
    m.routingDecision('llm', 'max_iterations');
    expect((await m.snapshot()).routing).toEqual({
      complete: 1,
      forward: 2,
      max_iterations: 1,
      errors: 1,
      avg_decision_time_ms: 27,
    });
  });
});
