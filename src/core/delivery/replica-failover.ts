// Failover between the replicas of one agent id (docs/scaling.md): brokers do not hand a dead member's
// unacknowledged and queued messages to the other members of a shared subscription, but they do hand
// them to a client that resumes its session. So a live replica watches the liveness registry; for a
// replica whose liveness expired it takes the adoption lock, connects with that replica's client id,
// unsubscribes its shared filter (the broker stops assigning it tasks), runs what the broker delivers
// through its own intake, and once all is answered and the broker is quiet, ends that session. Resuming
// the session also cancels the dead replica's delayed Will: the agent id stays `available`.
import type { LoggerV1 } from '@agent2389/tool-sdk';

import { reasonOf } from '../errors.js';
import { AGENT_ID_PATTERN } from '../protocol/topics.js';
import type { Acknowledge, InboundMessage, Transport } from '../transport/transport.js';
import type { ReplicaRegistry } from './dedupe-store.js';

/** How often a live replica looks for dead ones. */
const FAILOVER_SCAN_MS = 2_000;
/** An adoption with no message for this long, and everything answered, is finished. */
const QUIET_MS = 1_000;

export interface FailoverHost {
  readonly log: LoggerV1;
  readonly registry: ReplicaRegistry;
  /** This replica's id (never adopted by itself). */
  readonly replicaId: string;
  /** The shared filter every replica's session subscribes to. */
  readonly subscription: string;
  /** The longest an adoption may take (a task's timeout and then some): the lock lives this long. */
  readonly adoptionTimeoutMs: number;
  /** True while this replica takes tasks (adoptions wait otherwise). */
  serving(): boolean;
  /** A transport with `replicaId`'s client id (no Will), not connected yet. */
  transportAs(replicaId: string): Transport;
  /** The retained per-replica status topic of `replicaId` (cleared once its session is adopted). */
  statusTopicOf(replicaId: string): string;
  /** Hand an adopted message to the intake, as if it came on this replica's own connection. */
  onMessage(msg: InboundMessage, ack: Acknowledge): void;
}

export class ReplicaFailover {
  #timer: NodeJS.Timeout | undefined;
  #scanning = false;
  #stopped = false;
  #adopting: Transport | undefined;

  constructor(private readonly host: FailoverHost) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.scan(), FAILOVER_SCAN_MS).unref();
  }

  /** Stop looking; an adoption in progress is cut short (its session stays for another replica). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#adopting?.close().catch(() => undefined);
  }

  /** One look at the registry: adopt every dead replica whose lock we get. Never throws. */
  async scan(): Promise<void> {
    if (this.#scanning || this.#stopped || !this.host.serving()) return;
    this.#scanning = true;
    const { host } = this;
    try {
      for (const dead of await host.registry.expiredReplicas()) {
        if (dead === host.replicaId || this.#stopped || !host.serving()) continue;
        // Only a name a replica could have ([agent] replica_id): it becomes a client id and a topic level.
        if (dead.length > 128 || !AGENT_ID_PATTERN.test(dead)) continue;
        if (!(await host.registry.tryAdopt(dead, host.adoptionTimeoutMs))) continue;
        try {
          await this.#adopt(dead);
        } finally {
          await host.registry.releaseAdoption(dead).catch(() => undefined);
        }
      }
    } catch (err) {
      host.log.warn({ reason: reasonOf(err) }, 'replica failover: scan failed; trying again');
    } finally {
      this.#scanning = false;
    }
  }

  async #adopt(dead: string): Promise<void> {
    const { host } = this;
    const log = host.log.child({ adopting: dead });
    const transport = host.transportAs(dead);
    this.#adopting = transport;
    let received = 0;
    let settled = 0;
    let lastAt = Date.now();
    let sessionPresent = false;
    let lost = false;
    try {
      await transport.connect({
        onMessage: (msg, ack) => {
          received += 1;
          lastAt = Date.now();
          host.onMessage(msg, () => {
            settled += 1;
            ack();
          });
        },
        onConnect: (info) => void (info.first && (sessionPresent = info.sessionPresent)),
        onDisconnect: () => void (lost = true),
      });
      if (sessionPresent) await transport.unsubscribe(host.subscription);
      const deadline = Date.now() + host.adoptionTimeoutMs;
      while (!lost && !this.#stopped && Date.now() < deadline) {
        if (settled === received && Date.now() - lastAt >= QUIET_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 100).unref());
      }
      if (lost || this.#stopped || settled !== received) {
        // Left for a later try (by us or another replica): nothing of its session is lost.
        log.warn({ received, answered: settled }, 'replica failover: adoption not finished; will retry');
        await transport.close();
        return;
      }
      await transport.publish(host.statusTopicOf(dead), '', { retain: true });
      await transport.close({ endSession: true });
      await host.registry.forgetReplica(dead);
      log.info(
        { tasks: received, session_present: sessionPresent },
        'replica failover: adopted a dead replica',
      );
    } catch (err) {
      log.warn({ reason: reasonOf(err) }, 'replica failover: adoption failed; will retry');
      await transport.close().catch(() => undefined);
    } finally {
      this.#adopting = undefined;
    }
  }
}
