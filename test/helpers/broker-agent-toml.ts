// The agent.toml of a scripted-provider agent on a real broker, for the delivery tests and the bench.

export interface BrokerAgentSpec {
  readonly id: string;
  readonly brokerUrl: string;
  /** `data_dir` (the file dedupe store and the spool live there); unset: the default. */
  readonly dataDir?: string;
  readonly maxConcurrent?: number;
  readonly prefetch?: number;
  /** `[mqtt] protocol_version` (default 5: the receive maximum and shared subscriptions need it). */
  readonly protocolVersion?: 4 | 5;
  /** `[dedupe] store`; `redis` reads its URL from $REDIS_URL. Unset: the default (file). */
  readonly store?: 'memory' | 'file' | 'redis';
  /** `[mqtt] shared_group` (replicas). */
  readonly sharedGroup?: string;
  /** `[agent] replica_id` (with sharedGroup). */
  readonly replicaId?: string;
  /** Adds the built-in `echo` tool. */
  readonly echoTool?: boolean;
}

/** The config text; top-level keys come first (TOML would put them in the last table otherwise). */
export function brokerAgentToml(s: BrokerAgentSpec): string {
  const line = (cond: unknown, text: string): string[] =>
    cond === undefined || cond === false ? [] : [text];
  return [
    ...line(s.maxConcurrent, `max_concurrent_tasks = ${s.maxConcurrent}`),
    ...line(s.prefetch, `prefetch_tasks = ${s.prefetch}`),
    ...line(s.dataDir, `data_dir = "${s.dataDir}"`),
    '[agent]',
    `id = "${s.id}"`,
    ...line(s.sharedGroup !== undefined && s.replicaId, `replica_id = "${s.replicaId}"`),
    '[mqtt]',
    `broker_url = "${s.brokerUrl}"`,
    `protocol_version = ${s.protocolVersion ?? 5}`,
    ...line(s.sharedGroup, `shared_group = "${s.sharedGroup}"`),
    ...line(s.store, '[dedupe]'),
    ...line(s.store, `store = "${s.store}"`),
    ...line(s.store === 'redis' || undefined, 'redis_url_env = "REDIS_URL"'),
    '[llm]',
    'provider = "scripted"',
    ...line(s.echoTool, '[tools]'),
    ...line(s.echoTool, 'echo = "builtin"'),
    '',
  ].join('\n');
}
