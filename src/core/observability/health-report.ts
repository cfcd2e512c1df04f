// The body of /health: the agent and one check per component, each ok or not with the reason.

export type CheckStatus = 'ok' | 'degraded' | 'down';

export interface HealthCheck {
  readonly status: CheckStatus;
  readonly [detail: string]: unknown;
}

/** One routable agent as /health lists it (discovery, protocol.md §9). */
export interface RoutableAgentReport {
  readonly agent_id: string;
  readonly capabilities: readonly string[];
  readonly load: number;
  /** When this agent last received its status (RFC 3339, this agent's clock). */
  readonly last_seen: string;
}

export interface HealthReport {
  readonly status: 'healthy' | 'degraded';
  readonly agent_id: string;
  readonly version: string;
  readonly state: string;
  readonly generation: number;
  readonly uptime_seconds: number;
  readonly checks: {
    readonly mqtt: HealthCheck;
    readonly provider: HealthCheck;
    readonly tools: HealthCheck;
    readonly task_processing: HealthCheck;
    readonly dedupe: HealthCheck;
  };
  /** The agents this one could route to now (itself included), sorted by id; informational, no check. */
  readonly routable_agents: readonly RoutableAgentReport[];
}

export interface HealthInputs {
  readonly agentId: string;
  readonly version: string;
  readonly state: string;
  readonly generation: number;
  readonly startedAt: number;
  readonly mqtt: { readonly connected: boolean; readonly broker: string };
  readonly provider: {
    readonly id: string;
    readonly model: string;
    readonly verified: boolean;
    /** LLM calls that failed in a row, the most recent included. */
    readonly consecutiveFailures: number;
  };
  readonly tools: readonly string[];
  readonly tasks: { readonly inFlight: number; readonly queued: number; readonly maxConcurrent: number };
  /** The dedupe store: its kind, and why it cannot be used (undefined while it can). */
  readonly dedupe: { readonly store: string; readonly problem: string | undefined };
  readonly routableAgents: readonly RoutableAgentReport[];
}

/** After this many LLM calls failing in a row the provider check is degraded. */
export const PROVIDER_FAILURES_DEGRADED = 5;
/** A queue longer than this many times max_concurrent_tasks is a backlog. */
const BACKLOG_FACTOR = 10;

export function buildHealthReport(i: HealthInputs, now = Date.now()): HealthReport {
  const mqtt: HealthCheck = i.mqtt.connected
    ? { status: 'ok', connected: true, broker: i.mqtt.broker }
    : { status: 'down', connected: false, broker: i.mqtt.broker, reason: 'not connected to the broker' };
  const failing = i.provider.consecutiveFailures >= PROVIDER_FAILURES_DEGRADED;
  const provider: HealthCheck = {
    status: i.provider.verified && !failing ? 'ok' : 'degraded',
    id: i.provider.id,
    model: i.provider.model,
    verified: i.provider.verified,
    consecutive_failures: i.provider.consecutiveFailures,
    ...(failing ? { reason: `the last ${i.provider.consecutiveFailures} LLM calls failed` } : {}),
    ...(!i.provider.verified ? { reason: 'not verified yet' } : {}),
  };
  const tools: HealthCheck = { status: 'ok', count: i.tools.length, names: i.tools };
  const backlog = i.tasks.queued > BACKLOG_FACTOR * i.tasks.maxConcurrent;
  // `reloading`: a new config is being built while the current one serves (see agent/lifecycle.ts).
  const running = i.state === 'running' || i.state === 'reloading';
  const task_processing: HealthCheck = {
    status: running && !backlog ? 'ok' : 'degraded',
    in_flight: i.tasks.inFlight,
    queued: i.tasks.queued,
    max_concurrent_tasks: i.tasks.maxConcurrent,
    ...(!running
      ? { reason: `the agent is ${i.state}` }
      : backlog
        ? { reason: 'tasks are piling up in the queue' }
        : {}),
  };
  const dedupe: HealthCheck =
    i.dedupe.problem === undefined
      ? { status: 'ok', store: i.dedupe.store }
      : { status: 'down', store: i.dedupe.store, reason: i.dedupe.problem };
  const checks = { mqtt, provider, tools, task_processing, dedupe };
  const healthy = Object.values(checks).every((c) => c.status === 'ok');
  return {
    status: healthy ? 'healthy' : 'degraded',
    agent_id: i.agentId,
    version: i.version,
    state: i.state,
    generation: i.generation,
    uptime_seconds: Math.round((now - i.startedAt) / 1000),
    checks,
    routable_agents: i.routableAgents,
  };
}
