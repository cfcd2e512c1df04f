// The agent's current broker connection: every publish goes through it (counted in the metrics), and
// the status messages and the Last Will are built here.
import { ERR_CLOSED } from '../errors.js';
import type { AgentMetrics } from '../observability/agent-metrics.js';
import { buildStatus, type StatusInfo } from '../protocol/messages.js';
import { replicaStatusTopic, statusTopic } from '../protocol/topics.js';
import type { LastWill, PublishOptions } from '../transport/transport.js';
import type { Connection } from './connection.js';

export type AvailabilityStatus = 'available' | 'unavailable';

/** The retained status message of §3.3 (`load` only counts while available). */
export function statusMessage(info: StatusInfo, status: AvailabilityStatus, load: number): string {
  return JSON.stringify(buildStatus(info, status, status === 'available' ? load : 0));
}

/**
 * A replica's Last Will is delayed this long: a live replica adopting its session within it cancels
 * the Will, so the agent id stays `available` while one replica lives (docs/scaling.md).
 */
export const REPLICA_WILL_DELAY_SECONDS = 15;

/** The Last Will: retained `unavailable` on the agent's status topic [FR-004], delayed for a replica. */
export function statusWill(info: StatusInfo, replica = false): LastWill {
  return {
    topic: statusTopic(info.agentId),
    payload: statusMessage(info, 'unavailable', 0),
    retain: true,
    ...(replica ? { delaySeconds: REPLICA_WILL_DELAY_SECONDS } : {}),
  };
}

export class AgentLink {
  #conn?: Connection;

  constructor(private readonly metrics: AgentMetrics) {}

  get conn(): Connection | undefined {
    return this.#conn;
  }

  /** From now on, publish on `conn` (startup, or a reconnect of a reload). */
  use(conn: Connection): void {
    this.#conn = conn;
  }

  get connected(): boolean {
    return this.#conn?.transport.connected ?? false;
  }

  get brokerUrl(): string | undefined {
    return this.#conn?.brokerUrl;
  }

  /** Publish at QoS 1 on the current connection; refused (ERR_CLOSED) without one. */
  async publish(topic: string, payload: string, options?: PublishOptions): Promise<void> {
    if (!this.#conn) throw new ERR_CLOSED({});
    try {
      await this.#conn.transport.publish(topic, payload, options);
      this.metrics.mqttPublished.inc();
    } catch (err) {
      this.metrics.mqttPublishFailures.inc();
      throw err;
    }
  }

  publishStatus(info: StatusInfo, status: AvailabilityStatus, load: number): Promise<void> {
    return this.publish(statusTopic(info.agentId), statusMessage(info, status, load), { retain: true });
  }

  /** A replica's own retained status (with its `replica_id`); `cleared` deletes it (the replica left). */
  publishReplicaStatus(info: StatusInfo, replicaId: string, load: number | 'cleared'): Promise<void> {
    const topic = replicaStatusTopic(info.agentId, replicaId);
    const payload =
      load === 'cleared'
        ? ''
        : JSON.stringify({ ...buildStatus(info, 'available', load), replica_id: replicaId });
    return this.publish(topic, payload, { retain: true });
  }

  close(): Promise<void> {
    return this.#conn?.close() ?? Promise.resolve();
  }
}
