// The Prometheus text exposition of an agent's metrics, rendered by prom-client. prom-client (and its
// default process metrics) is loaded on the first scrape, not at startup: it costs ~7 MB of memory
// that an agent nobody scrapes should not pay. Our counters and histograms are collected from the
// metric store (metric-store.ts) at each scrape.
import type { Counter, Registry } from 'prom-client';

import type { AgentMetrics } from './agent-metrics.js';
import type { AnyFamily, HistogramFamily, Labels } from './metric-store.js';

/** Sampling interval of the event-loop lag histogram (prom-client's default). */
const LAG_RESOLUTION_MS = 10;

interface PromValue {
  readonly value: number;
  readonly labels: Labels;
  readonly metricName?: string;
}

/** What prom-client's Registry reads from a metric: `get()` (see its registry.js). */
interface CollectedMetric {
  readonly name: string;
  get(): Promise<{ name: string; help: string; type: string; values: PromValue[]; aggregator: 'sum' }>;
}

function histogramValues(h: HistogramFamily): PromValue[] {
  const values: PromValue[] = [];
  for (const s of h.all()) {
    let cumulative = 0;
    h.buckets.forEach((le, i) => {
      cumulative += s.value.counts[i]!;
      values.push({
        metricName: `${h.name}_bucket`,
        labels: { ...s.labels, le: String(le) },
        value: cumulative,
      });
    });
    values.push({
      metricName: `${h.name}_bucket`,
      labels: { ...s.labels, le: '+Inf' },
      value: s.value.count,
    });
    values.push({ metricName: `${h.name}_sum`, labels: s.labels, value: s.value.sum });
    values.push({ metricName: `${h.name}_count`, labels: s.labels, value: s.value.count });
  }
  return values;
}

function collected(f: AnyFamily): CollectedMetric {
  const values = (): PromValue[] => {
    if (f.type === 'gauge') return [{ value: f.read(), labels: {} }];
    if (f.type === 'histogram') return histogramValues(f);
    return f.all().map((s) => ({ value: s.value, labels: s.labels }));
  };
  return {
    name: f.name,
    get: () =>
      Promise.resolve({ name: f.name, help: f.help, type: f.type, values: values(), aggregator: 'sum' }),
  };
}

export class PrometheusExporter {
  #registry?: Promise<Registry>;

  constructor(
    private readonly metrics: AgentMetrics,
    private readonly info: { agentId: () => string; version: string },
  ) {}

  async #build(): Promise<Registry> {
    const prom = await import('prom-client');
    const registry = new prom.Registry();
    const cpuBefore = process.cpuUsage();
    prom.collectDefaultMetrics({
      register: registry,
      prefix: 'agent2389_',
      eventLoopMonitoringPrecision: LAG_RESOLUTION_MS,
    });
    // prom-client counts CPU time from the moment it is registered; the counters must be totals since
    // the process started, so add what was spent before the first scrape.
    const addCpu = (name: string, micros: number): void =>
      (registry.getSingleMetric(`agent2389_${name}`) as Counter | undefined)?.inc(micros / 1e6);
    addCpu('process_cpu_user_seconds_total', cpuBefore.user);
    addCpu('process_cpu_system_seconds_total', cpuBefore.system);
    addCpu('process_cpu_seconds_total', cpuBefore.user + cpuBefore.system);
    // The event-loop lag histogram starts empty (min = 2^63 ns, mean = NaN): let it take a few samples
    // before the first scrape reads it.
    await new Promise((resolve) => setTimeout(resolve, LAG_RESOLUTION_MS * 3));
    // Duck-typed metrics: prom-client's Registry only reads `name` and calls `get()` (registry.js).
    const register = (m: CollectedMetric): void =>
      registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
    for (const f of this.metrics.families()) register(collected(f));
    register({
      name: 'agent2389_info',
      get: () =>
        Promise.resolve({
          name: 'agent2389_info',
          help: 'Constant 1, labelled with the agent id and the runtime version',
          type: 'gauge',
          values: [{ value: 1, labels: { agent_id: this.info.agentId(), version: this.info.version } }],
          aggregator: 'sum',
        }),
    });
    return registry;
  }

  /** The text exposition (Prometheus 0.0.4) and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.#registry ??= this.#build();
    const registry = await this.#registry;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }
}
