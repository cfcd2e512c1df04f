// How an agent's progress events go out: enabled, rate-limited, counted, on the current connection.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import type { AgentMetrics } from '../observability/agent-metrics.js';
import { EventBudget, type ProgressSink } from '../observability/progress.js';

export interface ProgressHost {
  config(): AgentConfig;
  id(): string;
  log(): LoggerV1;
  readonly metrics: AgentMetrics;
  publish(topic: string, payload: string): Promise<void>;
}

/** A sink that reads the agent's current settings at every event (they change on reload). */
export function progressSink(host: ProgressHost): ProgressSink {
  const budget = new EventBudget(host.config().progress.max_events_per_second);
  return {
    enabled: () => host.config().progress.enabled,
    admit: (event) => {
      budget.setRate(host.config().progress.max_events_per_second);
      const ok = budget.take();
      (ok ? host.metrics.progressPublished : host.metrics.progressDropped).inc({ event });
      return ok;
    },
    agentId: () => host.id(),
    publish: (topic, payload) => host.publish(topic, payload),
    get log() {
      return host.log();
    },
  };
}
