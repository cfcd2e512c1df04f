// The name of this process among the replicas of one agent id, and the client id that follows from it.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { AgentConfig } from '../config/schema.js';
import { inputTopic } from '../protocol/topics.js';

/**
 * `[agent] replica_id`, or `{hostname}-{pid}-{4 random hex digits}` (characters outside [a-zA-Z0-9._-]
 * become `-`). The random part tells apart two starts of one container, which keep hostname and often
 * pid: a restarted replica must not reuse the client id of its predecessor, whose session another
 * replica may be taking over (docs/scaling.md).
 */
export function replicaIdOf(
  config: Pick<AgentConfig, 'agent'>,
  host: string = hostname(),
  pid: number = process.pid,
  random: string = randomBytes(2).toString('hex'),
): string {
  return config.agent.replica_id ?? `${host.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 100)}-${pid}-${random}`;
}

/**
 * The MQTT client id: `[mqtt] client_id`, else `agent2389-{id}` — or, for a replica ([mqtt]
 * shared_group), `agent2389-{id}-{replica_id}`: two processes must never share one (the broker would
 * keep disconnecting one of them).
 */
export function clientIdOf(config: Pick<AgentConfig, 'agent' | 'mqtt'>, replicaId: string): string {
  if (config.mqtt.shared_group !== undefined) return `agent2389-${config.agent.id}-${replicaId}`;
  return config.mqtt.client_id ?? `agent2389-${config.agent.id}`;
}

/** The input topic's subscription: shared by the replicas of `[mqtt] shared_group` (MQTT 5), else plain. */
export function inputSubscription(config: Pick<AgentConfig, 'agent' | 'mqtt'>): string {
  const topic = inputTopic(config.agent.id);
  const group = config.mqtt.shared_group;
  return group === undefined ? topic : `$share/${group}/${topic}`;
}
