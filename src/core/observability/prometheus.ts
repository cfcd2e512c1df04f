// The Prometheus text exposition of an agent's metrics, rendered by prom-client from the agent's own
// registry (AgentMetrics.registry) together with the exporter's: prom-client's default process
// metrics and agent2389_info. The default metrics are set up on the first scrape, not at startup:
// their collectors (an event-loop delay histogram, a GC observer) cost memory and timers that an agent
// nobody scrapes should not pay.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import type { AgentMetrics } from './agent-metrics.js';

/** Sampling interval of the event-loop lag histogram (prom-client's default). */
const LAG_RESOLUTION_MS = 10;

export class PrometheusExporter {
  #own?: Promise<Registry>;

  constructor(
    private readonly metrics: AgentMetrics,
    private readonly info: { agentId: () => string; version: string },
  ) {}

  /** The exporter's registry: default process metrics and agent2389_info. */
  async #build(): Promise<Registry> {
    const own = new Registry();
    const cpuBefore = process.cpuUsage();
    collectDefaultMetrics({
      register: own,
      prefix: 'agent2389_',
      eventLoopMonitoringPrecision: LAG_RESOLUTION_MS,
    });
    // prom-client counts CPU time from the moment it is registered; the counters must be totals since
    // the process started, so add what was spent before the first scrape.
    const addCpu = (name: string, micros: number): void => {
      const counter = own.getSingleMetric(`agent2389_${name}`);
      if (counter instanceof Counter) counter.inc(micros / 1e6);
    };
    addCpu('process_cpu_user_seconds_total', cpuBefore.user);
    addCpu('process_cpu_system_seconds_total', cpuBefore.system);
    addCpu('process_cpu_seconds_total', cpuBefore.user + cpuBefore.system);
    const { agentId, version } = this.info;
    new Gauge({
      name: 'agent2389_info',
      help: 'Constant 1, labelled with the agent id and the runtime version',
      labelNames: ['agent_id', 'version'],
      registers: [own],
      // The agent id can change on a reconnect: read it at each scrape, keep one series.
      collect() {
        this.reset();
        this.set({ agent_id: agentId(), version }, 1);
      },
    });
    // The event-loop lag histogram starts empty (min = 2^63 ns, mean = NaN): let it take a few samples
    // before the first scrape reads it. Three timers one after the other, not one of 30 ms: on a loaded
    // machine a single late wake-up can fire ours and the monitor's once each, leaving no sample.
    for (let turn = 0; turn < 3; turn++)
      await new Promise((resolve) => setTimeout(resolve, LAG_RESOLUTION_MS));
    return own;
  }

  /** The text exposition (Prometheus 0.0.4) and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.#own ??= this.#build();
    const registry = Registry.merge([this.metrics.registry, await this.#own]);
    return { contentType: registry.contentType, body: await registry.metrics() };
  }
}
