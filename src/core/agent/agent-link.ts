// The agent's current broker connection: every publish goes through it (counted in the metrics), and
// the status messages and the Last Will are built here.
import { ERR_CLOSED } from '../errors.js';
import type { AgentMetrics } from '../observability/agent-metrics.js';
import { buildStatus, type StatusInfo } from '../protocol/messages.js';
import { statusTopic } from '../protocol/topics.js';
import type { LastWill, PublishOptions } from '../transport/transport.js';
import type { Connection } from './connection.js';

export type AvailabilityStatus = 'available' | 'unavailable';

/** The retained status message of §3.3 (`load` only counts while available). */
export function statusMessage(info: StatusInfo, status: AvailabilityStatus, load: number): string {
  return JSON.stringify(buildStatus(info, status, status === 'available' ? load : 0));
}

/** The Last Will: retained `unavailable` on the agent's status topic [FR-004]. */
export function statusWill(info: StatusInfo): LastWill {
  return { topic: statusTopic(info.agentId), payload: statusMessage(info, 'unavailable', 0), retain: true };
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

  close(): Promise<void> {
    return this.#conn?.close() ?? Promise.resolve();
  }
}
