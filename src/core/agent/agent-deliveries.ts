// The agent's durable-delivery state: the dedupe store it opens at startup (task claims and
// acknowledgements), and, for replicas, the adoption of dead replicas' sessions (docs/scaling.md).
import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import { resolveDataDir } from '../config/data-dir.js';
import { ERR_INTERNAL } from '../errors.js';
import { Deliveries } from '../delivery/deliveries.js';
import { openDedupeStore, type DedupeLimits } from '../delivery/dedupe-store.js';
import { ReplicaFailover } from '../delivery/replica-failover.js';
import { clientIdOf } from '../delivery/replica-id.js';
import { replicaStatusTopic } from '../protocol/topics.js';
import { isAgentStatusTopic } from '../routing/status-message.js';
import type { AgentLink } from './agent-link.js';
import type { CreateAgentOptions } from './agent-options.js';
import { agentTransport } from './connection.js';
import type { Lifecycle } from './lifecycle.js';
import type { LiveGeneration } from './live-generation.js';
import type { MessageIntake } from './message-intake.js';
import type { TaskQueue } from './task-queue.js';

/** What the delivery state reads from the agent's runtime (AgentRuntime implements it). */
export interface DeliveriesHost {
  readonly log: LoggerV1;
  readonly config: AgentConfig;
  readonly id: string;
  readonly state: string;
  readonly replicaId: string;
  readonly replicated: boolean;
  readonly lifecycle: Lifecycle;
  readonly queue: TaskQueue;
  readonly link: AgentLink;
  readonly intake: MessageIntake;
  readonly generation: LiveGeneration;
}

type Options = Pick<CreateAgentOptions, 'env' | 'dedupeStore' | 'transport'>;

export class AgentDeliveries {
  readonly #host: DeliveriesHost;
  readonly #opts: Options;
  /** Opened at startup (the dedupe store may need a file or a server). */
  #deliveries?: Deliveries;
  /** Adopts the sessions of dead replicas (replicas only). */
  #failover?: ReplicaFailover;

  constructor(host: DeliveriesHost, options: Options) {
    this.#host = host;
    this.#opts = options;
  }

  /** Task claims and acknowledgements; ERR_INTERNAL when read before startup opened the dedupe store (a bug). */
  get deliveries(): Deliveries {
    if (!this.#deliveries)
      throw new ERR_INTERNAL({ where: 'agent runtime', reason: `no dedupe store while ${this.#host.state}` });
    return this.#deliveries;
  }

  /** The dedupe store's kind and problem, once opened (for /ready and /health). */
  get health(): { store: string; problem: string | undefined } | undefined {
    const store = this.#deliveries?.store;
    return store && { store: store.kind, problem: store.problem };
  }

  /** Open the configured dedupe store (startup's first step): the one given in code, or [dedupe]'s. */
  async open(): Promise<void> {
    const host = this.#host;
    const env = this.#opts.env ?? process.env;
    const config = host.config;
    const store =
      this.#opts.dedupeStore ??
      (await openDedupeStore(config.dedupe, {
        agentId: config.agent.id,
        dataDir: resolveDataDir(config, env),
        env,
        holder: host.replicaId,
        log: host.log,
      }));
    store.onHealthChange(() => {
      if (store.problem === undefined) host.intake.retryParked();
    });
    this.#deliveries = new Deliveries(store, () => host.log);
  }

  /**
   * Shutdown: tasks received but not started are let go unacknowledged, so the broker redelivers them
   * to the next session instead of this one holding the shutdown up. Not with the embedded broker,
   * whose sessions end with this process: those still run within the grace period.
   */
  dropWaiting(): void {
    const host = this.#host;
    if (host.config.mqtt.broker_url === 'embedded' || !this.#deliveries) return;
    const dropped = host.queue.dropWaiting();
    host.intake.dropBacklog();
    for (const id of dropped) void this.#deliveries.abandoned(id);
    if (dropped.length > 0)
      host.log.info({ tasks: dropped.length }, 'shutdown: tasks not started are left to the broker');
  }

  /** Close the dedupe store, if this agent opened it (one given in code is the caller's). */
  async close(): Promise<void> {
    const deliveries = this.#deliveries;
    if (!deliveries) return;
    deliveries.close();
    this.#host.intake.close();
    if (!this.#opts.dedupeStore) await deliveries.store.close();
  }

  /** A reload changed [dedupe] cache_size or ttl_seconds (a store given in code is the caller's to size). */
  resize(limits: DedupeLimits): void {
    if (!this.#opts.dedupeStore) this.#deliveries?.store.resize(limits);
  }

  /** Replicas: start adopting the sessions of dead replicas (a custom transport has no sessions to adopt). */
  startFailover(): void {
    const host = this.#host;
    const registry = this.#deliveries?.store.replicas;
    if (!host.replicated || !registry || this.#opts.transport || this.#failover) return;
    this.#failover = new ReplicaFailover({
      log: host.log.child({ component: 'failover' }),
      registry,
      replicaId: host.replicaId,
      subscription: host.generation.intake.subscription,
      adoptionTimeoutMs: (host.config.task_timeout + 60) * 1000,
      serving: () => host.lifecycle.is('running', 'reloading'),
      transportAs: (replica) =>
        agentTransport(host.config, host.generation.secrets, {
          brokerUrl: host.link.brokerUrl ?? host.config.mqtt.broker_url,
          clientId: clientIdOf(host.config, replica),
          log: host.log.child({ adopting: replica }),
        }),
      statusTopicOf: (replica) => replicaStatusTopic(host.id, replica),
      // An adopted session's queued statuses are old (and may be cut by the broker's queue limit): the
      // agent's own connection has the current ones, so these are only acknowledged.
      onMessage: (msg, ack) =>
        isAgentStatusTopic(msg.topic) ? ack() : host.intake.onMessage(msg, ack, false),
    });
    this.#failover.start();
  }

  async stopFailover(): Promise<void> {
    await this.#failover?.stop();
  }

  /** Whether another replica of this agent id lives (if the replica registry cannot say: no). */
  async otherReplicasLive(): Promise<boolean> {
    const registry = this.#deliveries?.store.replicas;
    if (!registry) return false;
    try {
      return (await registry.liveReplicas()).some((r) => r !== this.#host.replicaId);
    } catch (err) {
      this.#host.log.warn({ err }, 'cannot tell whether another replica lives: publishing unavailable');
      return false;
    }
  }
}
