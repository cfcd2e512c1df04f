// Cross-key rules of durable delivery and replicas: [dedupe], [mqtt] shared_group, [agent] replica_id.
import type { ConfigProblem } from '../errors.js';
import type { AgentConfig } from './schema.js';
import { problemAt, type ConfigSource } from './source.js';

/** MQTT 5's largest receive maximum. */
export const MAX_RECEIVE_MAXIMUM = 65_535;

export function deliveryProblems(config: AgentConfig, lineOf: ConfigSource['lineOf']): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (path: string[], message: string): void => void problems.push(problemAt(path, message, lineOf));
  const { mqtt, dedupe } = config;
  if (dedupe.store === 'redis' && dedupe.redis_url_env === undefined)
    at(
      ['dedupe', 'redis_url_env'],
      'is required with store = "redis" (the variable holding redis://host:port)',
    );
  if (config.max_concurrent_tasks + config.prefetch_tasks > MAX_RECEIVE_MAXIMUM)
    at(
      ['prefetch_tasks'],
      `plus max_concurrent_tasks must be at most ${MAX_RECEIVE_MAXIMUM} (MQTT 5 receive maximum)`,
    );
  if (mqtt.shared_group === undefined) {
    if (config.agent.replica_id !== undefined)
      at(['agent', 'replica_id'], 'only applies with [mqtt] shared_group (replicas of one agent id)');
    return problems;
  }
  if (mqtt.broker_url === 'embedded')
    at(
      ['mqtt', 'shared_group'],
      'needs an MQTT 5 broker with shared subscriptions; the embedded broker has none',
    );
  else if (mqtt.protocol_version === 4)
    at(['mqtt', 'shared_group'], 'needs MQTT 5 (shared subscriptions): remove protocol_version = 4');
  if (dedupe.store !== 'redis')
    at(
      ['mqtt', 'shared_group'],
      'needs [dedupe] store = "redis": replicas share their duplicate record and failover through it',
    );
  if (mqtt.client_id !== undefined)
    at(
      ['mqtt', 'client_id'],
      'cannot be set with shared_group: each replica needs its own client id (set [agent] replica_id)',
    );
  return problems;
}
