// What the health endpoints learn about an agent: readiness and the /health report.
import type { AgentConfig } from '../config/schema.js';
import {
  buildHealthReport,
  type HealthReport,
  type RoutableAgentReport,
} from '../observability/health-report.js';
import type { AgentRegistry } from '../routing/agent-registry.js';
import { VERSION } from '../version.js';
import type { AgentState } from './events.js';
import { SERVING_STATES } from './lifecycle.js';

/** The agent's state as the probe reads it, at the moment of a request. */
export interface ProbeView {
  readonly id: string;
  readonly state: AgentState;
  readonly generation: number;
  readonly config: AgentConfig;
  readonly connected: boolean;
  readonly brokerUrl: string | undefined;
  readonly providerId: string | undefined;
  readonly tools: readonly string[];
  readonly inFlight: number;
  readonly queued: number;
  readonly startedAt: number;
  /** The dedupe store (none before startup opened it). */
  readonly dedupe: { readonly store: string; readonly problem: string | undefined } | undefined;
  /** Discovery: the agents known from their status messages. */
  readonly registry: AgentRegistry;
}

/** /health lists at most this many routable agents (the first by id): a flood of statuses cannot bloat it. */
export const MAX_HEALTH_ROUTABLE = 1000;

/** The routable agents as /health lists them; `last_seen` is now (wall clock) less the age the registry measured. */
function routableReport(registry: AgentRegistry, wallNow = Date.now()): RoutableAgentReport[] {
  return registry
    .routable()
    .slice(0, MAX_HEALTH_ROUTABLE)
    .map((a) => ({
      agent_id: a.id,
      capabilities: a.capabilities,
      load: a.load,
      last_seen: new Date(wallNow - registry.ageMs(a)).toISOString(),
    }));
}

/** A broker URL as shown in /health: no user or password. */
function withoutCredentials(url: string): string {
  if (!URL.canParse(url)) return url;
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.href.replace(/\/$/, '');
}

export class AgentProbe {
  /** `available` was published and not taken back since. */
  available = false;
  /** The provider passed its check (startup, or a reload that changed it). */
  providerVerified = false;
  #llmFailuresInRow = 0;

  /** An LLM call succeeded or failed: failures in a row degrade the provider check. */
  llmOutcome(ok: boolean): void {
    this.#llmFailuresInRow = ok ? 0 : this.#llmFailuresInRow + 1;
  }

  /** A different provider: its predecessor's failures do not count. */
  providerChanged(): void {
    this.#llmFailuresInRow = 0;
  }

  /** Readiness (/ready): `available` published, connected, serving (running or a live reload; not draining or reconnecting). */
  readiness(v: ProbeView): { ready: boolean; reason?: string } {
    if (!SERVING_STATES.includes(v.state)) return { ready: false, reason: `the agent is ${v.state}` };
    if (!v.connected) return { ready: false, reason: 'not connected to the broker' };
    if (!this.available) return { ready: false, reason: 'available has not been published yet' };
    // Tasks are not acknowledged while the store cannot record them: the broker keeps them [docs/scaling.md].
    if (v.dedupe?.problem !== undefined)
      return { ready: false, reason: `the dedupe store is unavailable: ${v.dedupe.problem}` };
    return { ready: true };
  }

  /** The body of /health: one check per component (mqtt, provider, tools, task processing). */
  report(v: ProbeView): HealthReport {
    return buildHealthReport({
      agentId: v.id,
      version: VERSION,
      state: v.state,
      generation: v.generation,
      startedAt: v.startedAt,
      mqtt: { connected: v.connected, broker: withoutCredentials(v.brokerUrl ?? v.config.mqtt.broker_url) },
      provider: {
        id: v.providerId ?? v.config.llm.provider,
        model: v.config.llm.model,
        verified: this.providerVerified,
        consecutiveFailures: this.#llmFailuresInRow,
      },
      tools: v.tools,
      tasks: { inFlight: v.inFlight, queued: v.queued, maxConcurrent: v.config.max_concurrent_tasks },
      dedupe: v.dedupe ?? { store: v.config.dedupe.store, problem: undefined },
      routableAgents: routableReport(v.registry),
    });
  }
}
