import { describe, expect, it } from 'vitest';

import { AgentMetrics, type MetricSources } from '../../../src/core/observability/agent-metrics.js';
import { PrometheusExporter } from '../../../src/core/observability/prometheus.js';

function fakeSources(): MetricSources & { state: { inFlight: number; connected: boolean } } {
  const state = { inFlight: 2, connected: true };
  return {
    state,
    inFlight: () => state.inFlight,
    queued: () => 1,
    held: () => 2,
    spooled: () => 0,
    mqttConnected: () => state.connected,
    generation: () => 3,
  };
}

function exporterFor(metrics: AgentMetrics, agentId = 'writer-1'): PrometheusExporter {
  return new PrometheusExporter(metrics, { agentId: () => agentId, version: '9.8.7' });
}

/** `name{b="2",a="1"}` as `name{a="1",b="2"}`: the text format does not order labels. */
function canonical(series: string): string {
  const brace = series.indexOf('{');
  if (brace < 0) return series;
  const pairs = series.slice(brace + 1, -1).match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
  return `${series.slice(0, brace)}{${pairs.sort().join(',')}}`;
}

/** The sample lines (not comments) of an exposition, as `name{labels}` (labels sorted) → value. */
function samples(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(canonical(line.slice(0, at)), Number(line.slice(at + 1)));
  }
  return out;
}

/** The value of one sample line (labels in any order); fails the test when it is absent. */
function sample(body: string, series: string): number {
  const value = samples(body).get(canonical(series));
  if (value === undefined) throw new Error(`no sample ${series} in:\n${body}`);
  return value;
}

describe('PrometheusExporter.render', () => {
  it('answers in the Prometheus text format 0.0.4', async () => {
    const { contentType } = await exporterFor(new AgentMetrics(fakeSources())).render();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('writes HELP and TYPE lines for each of our families', async () => {
    const { body } = await exporterFor(new AgentMetrics(fakeSources())).render();
    expect(body).toContain('# HELP agent2389_tasks_total Tasks by outcome and wire error code');
    expect(body).toContain('# TYPE agent2389_tasks_total counter');
    expect(body).toContain('# TYPE agent2389_task_duration_seconds histogram');
    expect(body).toContain('# TYPE agent2389_tasks_in_flight gauge');
    expect(body).toContain('# HELP agent2389_info ');
    expect(body).toContain('# TYPE agent2389_info gauge');
  });

  it('writes counters with their labels', async () => {
    const m = new AgentMetrics(fakeSources());
    m.tasksReceived.inc({}, 4);
    m.taskFinished('failed', 'tool_execution_failed');
    m.taskFinished('responded', '');
    m.taskFinished('responded', '');
    m.llmCall('openai', 'gpt-4o', true, 100, { inputTokens: 11, outputTokens: 7 });
    const { body } = await exporterFor(m).render();
    expect(sample(body, 'agent2389_tasks_received_total')).toBe(4);
    expect(sample(body, 'agent2389_tasks_total{outcome="failed",code="tool_execution_failed"}')).toBe(1);
    expect(sample(body, 'agent2389_tasks_total{outcome="responded",code=""}')).toBe(2);
    expect(sample(body, 'agent2389_llm_requests_total{provider="openai",model="gpt-4o",outcome="ok"}')).toBe(
      1,
    );
    expect(
      sample(body, 'agent2389_llm_tokens_total{provider="openai",model="gpt-4o",direction="input"}'),
    ).toBe(11);
    expect(
      sample(body, 'agent2389_llm_tokens_total{provider="openai",model="gpt-4o",direction="output"}'),
    ).toBe(7);
  });

  it('writes histograms as cumulative _bucket lines, le="+Inf" equal to _count, and _sum', async () => {
    const m = new AgentMetrics(fakeSources());
    // tool buckets: 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
    m.toolCall('echo', 'ok', 3); // 0.003 s → le 0.005
    m.toolCall('echo', 'ok', 5); // 0.005 s → exactly le 0.005
    m.toolCall('echo', 'ok', 40); // 0.04 s → le 0.05
    m.toolCall('echo', 'timeout', 90_000); // 90 s → above the last bound, +Inf only
    const { body } = await exporterFor(m).render();
    const bucket = (le: string): number =>
      sample(body, `agent2389_tool_call_duration_seconds_bucket{tool="echo",le="${le}"}`);
    expect(bucket('0.001')).toBe(0);
    expect(bucket('0.005')).toBe(2);
    expect(bucket('0.01')).toBe(2);
    expect(bucket('0.025')).toBe(2);
    expect(bucket('0.05')).toBe(3);
    expect(bucket('60')).toBe(3);
    expect(bucket('+Inf')).toBe(4);
    expect(sample(body, 'agent2389_tool_call_duration_seconds_count{tool="echo"}')).toBe(4);
    expect(sample(body, 'agent2389_tool_call_duration_seconds_sum{tool="echo"}')).toBeCloseTo(90.048, 9);

    // Every bucket line of the series, in order, never decreases and ends at the count.
    const series = [...samples(body)].filter(
      ([k]) => k.startsWith('agent2389_tool_call_duration_seconds_bucket{') && k.includes('tool="echo"'),
    );
    expect(series).toHaveLength(15); // 14 bounds + +Inf
    const values = series.map(([, v]) => v);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(series.at(-1)![0]).toContain('le="+Inf"');
  });

  it('writes one set of bucket lines per labelled series', async () => {
    const m = new AgentMetrics(fakeSources());
    m.taskFinished('responded', '', 20);
    m.taskFinished('failed', 'x', 20);
    const { body } = await exporterFor(m).render();
    expect(sample(body, 'agent2389_task_duration_seconds_bucket{outcome="responded",le="+Inf"}')).toBe(1);
    expect(sample(body, 'agent2389_task_duration_seconds_bucket{outcome="failed",le="+Inf"}')).toBe(1);
    expect(sample(body, 'agent2389_task_duration_seconds_count{outcome="failed"}')).toBe(1);
  });

  it('writes the gauges from the sources', async () => {
    const { body } = await exporterFor(new AgentMetrics(fakeSources())).render();
    expect(sample(body, 'agent2389_tasks_in_flight')).toBe(2);
    expect(sample(body, 'agent2389_tasks_queued')).toBe(1);
    expect(sample(body, 'agent2389_mqtt_connected')).toBe(1);
    expect(sample(body, 'agent2389_config_generation')).toBe(3);
  });

  it('writes agent2389_info = 1 with the agent id and version', async () => {
    const { body } = await exporterFor(new AgentMetrics(fakeSources()), 'researcher.eu-1').render();
    expect(sample(body, 'agent2389_info{agent_id="researcher.eu-1",version="9.8.7"}')).toBe(1);
  });

  it('includes the default process metrics, prefixed agent2389_', async () => {
    const { body } = await exporterFor(new AgentMetrics(fakeSources())).render();
    expect(body).toContain('# TYPE agent2389_process_resident_memory_bytes gauge');
    expect(sample(body, 'agent2389_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(body).toContain('# TYPE agent2389_process_cpu_seconds_total counter');
    expect(body).toMatch(/^agent2389_nodejs_heap_size_used_bytes \d+/m);
  });

  it('counts CPU time since the process started, not since the first scrape', async () => {
    const spentBefore = process.cpuUsage();
    const { body } = await exporterFor(new AgentMetrics(fakeSources())).render();
    const total = sample(body, 'agent2389_process_cpu_seconds_total');
    expect(total).toBeGreaterThanOrEqual((spentBefore.user + spentBefore.system) / 1e6);
    expect(total).toBeCloseTo(
      sample(body, 'agent2389_process_cpu_user_seconds_total') +
        sample(body, 'agent2389_process_cpu_system_seconds_total'),
      6,
    );
  });

  it('has real event-loop lag samples already on the first scrape (no NaN, no 2^63 ns minimum)', async () => {
    const { body } = await exporterFor(new AgentMetrics(fakeSources())).render();
    const lag = [...samples(body)].filter(([k]) => k.startsWith('agent2389_nodejs_eventloop_lag'));
    expect(lag.length).toBeGreaterThan(3);
    for (const [name, value] of lag) {
      expect(Number.isFinite(value), name).toBe(true);
      expect(value, name).toBeLessThan(60);
    }
  });

  it('names every metric agent2389_*', async () => {
    const m = new AgentMetrics(fakeSources());
    m.toolCall('echo', 'ok', 1);
    m.taskFinished('responded', '', 1);
    const { body } = await exporterFor(m).render();
    const names = new Set<string>();
    for (const line of body.split('\n')) {
      const typed = /^# (?:HELP|TYPE) (\S+)/.exec(line);
      if (typed) names.add(typed[1]!);
      else if (line !== '') names.add(/^[^{ ]+/.exec(line)![0]);
    }
    expect(names.size).toBeGreaterThan(20);
    for (const name of names) expect(name).toMatch(/^agent2389_/);
  });

  it('collects the values again at each scrape', async () => {
    const sources = fakeSources();
    const m = new AgentMetrics(sources);
    const exporter = exporterFor(m);
    m.toolCall('echo', 'ok', 1);
    const first = (await exporter.render()).body;
    expect(sample(first, 'agent2389_tool_calls_total{tool="echo",outcome="ok"}')).toBe(1);
    expect(samples(first).has('agent2389_tool_calls_total{tool="http",outcome="error"}')).toBe(false);

    m.toolCall('echo', 'ok', 1);
    m.toolCall('http', 'error', 1);
    sources.state.inFlight = 0;
    sources.state.connected = false;
    const second = (await exporter.render()).body;
    expect(sample(second, 'agent2389_tool_calls_total{tool="echo",outcome="ok"}')).toBe(2);
    expect(sample(second, 'agent2389_tool_calls_total{tool="http",outcome="error"}')).toBe(1);
    expect(sample(second, 'agent2389_tool_call_duration_seconds_count{tool="echo"}')).toBe(2);
    expect(sample(second, 'agent2389_tasks_in_flight')).toBe(0);
    expect(sample(second, 'agent2389_mqtt_connected')).toBe(0);
  });

  it('reads the agent id at each scrape (it can change on a reconnect)', async () => {
    let id = 'before';
    const exporter = new PrometheusExporter(new AgentMetrics(fakeSources()), {
      agentId: () => id,
      version: '1.0.0',
    });
    await exporter.render();
    id = 'after';
    const { body } = await exporter.render();
    expect(sample(body, 'agent2389_info{agent_id="after",version="1.0.0"}')).toBe(1);
    expect(body).not.toContain('agent_id="before"');
  });
});
