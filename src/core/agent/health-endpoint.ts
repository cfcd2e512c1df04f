// The agent's HTTP endpoints: /live, /ready, /health and /metrics over the agent's own state.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import { startHealthServer, type HealthServer } from '../observability/health-server.js';
import { PrometheusExporter } from '../observability/prometheus.js';
import { VERSION } from '../version.js';
import type { Agent } from './agent.js';

/** Serve `agent`'s health and metrics on `[health] host:port`; rejects with AGENT_ERR_HEALTH_LISTEN. */
export function serveHealth(
  agent: Agent,
  health: AgentConfig['health'],
  log: LoggerV1,
): Promise<HealthServer> {
  const exporter = new PrometheusExporter(agent.metrics, { agentId: () => agent.id, version: VERSION });
  return startHealthServer(
    {
      ready: () => agent.readiness,
      health: () => agent.healthReport(),
      metricsJson: () => agent.metrics.snapshot(),
      prometheus: () => exporter.render(),
    },
    { host: health.host, port: health.port, log },
  );
}
