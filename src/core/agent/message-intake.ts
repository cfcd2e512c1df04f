// Inbound messages to tasks: hold while starting or reconnecting, run the intake steps, queue accepted
// tasks on the current generation, and acknowledge each message only when it is settled: a task once
// its answer is published and recorded (src/core/delivery/deliveries.ts), anything else once handled.
// At most max_concurrent_tasks + prefetch_tasks messages not started are held in memory, whatever the
// broker sends: the rest wait in the spool, in order (docs/scaling.md).
import type { AgentConfig } from '../config/schema.js';
import { Backlog } from '../delivery/backlog.js';
import type { Claim, Deliveries } from '../delivery/deliveries.js';
import { Spool } from '../delivery/spool.js';
import { AgentError } from '../errors.js';
import type { AgentMetrics } from '../observability/agent-metrics.js';
import { intake, type IntakeResult } from '../pipeline/intake.js';
import type { Acknowledge, InboundMessage } from '../transport/transport.js';
import type { AgentState } from './events.js';
import { reportInternalError } from './internal-error.js';
import { SERVING_STATES } from './lifecycle.js';
import type { LiveGeneration } from './live-generation.js';
import type { Peers } from '../routing/route-task.js';
import { reportNotAccepted, runTask, type TaskReporting } from './task-run.js';
import type { TaskQueue } from './task-queue.js';

/** What the intake reads from its agent's runtime, at each message. */
export interface IntakeHost {
  readonly state: AgentState;
  /** The configuration new tasks run with (its max_concurrent_tasks + prefetch_tasks bound what is held). */
  readonly config: AgentConfig;
  /** The generation new tasks run on (read only once the agent serves: throws before). */
  readonly generation: LiveGeneration;
  readonly queue: TaskQueue;
  readonly metrics: AgentMetrics;
  readonly reporting: TaskReporting;
  /** Claims, answered records and acknowledgements of tasks (read only once the agent serves). */
  readonly deliveries: Deliveries;
  /** Discovery (the agents routable now), for routed v2 tasks. */
  readonly registry?: Peers;
}

/** One received message and the acknowledgement it is owed. */
interface Received {
  readonly msg: InboundMessage;
  readonly ack: Acknowledge;
}

/** While the dedupe store is unreachable, parked messages are asked about again this often. */
const PARKED_RETRY_MS = 1_000;

/**
 * Messages beyond the bound wait as they came in memory up to this many times max_message_bytes (4 MiB
 * by default), then in the spool file: a short burst costs no disk write, a flood stays bounded.
 */
const BACKLOG_MEMORY_MESSAGES = 16;

/** States in which spooled messages are taken in (draining: only if shutdown kept them, see dropBacklog). */
const PUMPING_STATES: readonly AgentState[] = [...SERVING_STATES, 'draining'];

export class MessageIntake {
  /** Messages that arrived while starting, or on the connection a reconnect is making. */
  readonly #pending: Received[] = [];
  /**
   * Messages the dedupe store could not be asked about (Redis down), or whose task a live other
   * replica runs: unacknowledged, asked about again later.
   */
  readonly #parked: Received[] = [];
  /** Messages received while the held ones reached the bound, oldest first (mostly on disk). */
  readonly #backlog: Backlog<Acknowledge>;
  /** Messages taken in and not queued or settled yet: pending, in the intake steps, or parked. */
  #admitted = 0;
  #retry: NodeJS.Timeout | undefined;

  /** `spoolPath`: the spool file (in the agent's data dir), read when it is first needed. */
  constructor(
    private readonly host: IntakeHost,
    spoolPath: () => string,
  ) {
    this.#backlog = new Backlog(
      new Spool(spoolPath, () => host.reporting.log()),
      () => BACKLOG_MEMORY_MESSAGES * host.config.max_message_bytes,
    );
  }

  /** Messages taken in and not started (at most the bound): pending, in the intake, queued, parked. */
  get held(): number {
    return this.#taken();
  }

  /** Messages received and waiting, as they came, for room: in memory within the budget, then in the spool file. */
  get spooled(): number {
    return this.#backlog.size;
  }

  /**
   * Transport callback. Messages that arrive while starting, or on the connection being made by a
   * reconnect (`replacing`), wait for the new generation. While draining (and on the old connection
   * during a reconnect) a message is never acknowledged: the broker keeps it for the next session.
   */
  onMessage(msg: InboundMessage, ack: Acknowledge, replacing: boolean): void {
    this.host.metrics.mqttReceived.inc();
    const { state } = this.host;
    const serving = SERVING_STATES.includes(state);
    if (!serving && state !== 'starting' && !(state === 'reconnecting' && replacing)) return;
    // Behind older spooled messages, or beyond the bound: to the spool (the raw message, unparsed).
    if (this.#backlog.size > 0 || this.#taken() >= this.#bound()) return this.#backlog.push(msg, ack);
    this.#admitted++;
    if (serving) this.#handle({ msg, ack });
    else this.#pending.push({ msg, ack });
  }

  /** Handle the messages that waited for the agent to be running, then spooled ones there is room for. */
  flushPending(): void {
    for (const r of this.#pending.splice(0)) this.#handle(r);
    this.#pump();
  }

  /** Ask the dedupe store again about the parked messages (it is back, or it is time to try). */
  retryParked(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (!SERVING_STATES.includes(this.host.state)) return;
    for (const r of this.#parked.splice(0)) this.#handle(r, true);
  }

  /**
   * Shutdown with a broker that keeps sessions: spooled messages are let go unacknowledged (the broker
   * redelivers them to the next session). Otherwise they are taken in while draining, like queued tasks.
   */
  dropBacklog(): void {
    const dropped = this.#backlog.close();
    if (dropped > 0)
      this.host.reporting.log().info({ tasks: dropped }, 'shutdown: spooled messages are left to the broker');
  }

  /** Stop retrying (shutdown): parked and spooled messages stay unacknowledged and are redelivered later. */
  close(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#backlog.close();
  }

  /** The most messages not started held in memory: what the broker should send at most (receiveMaximum). */
  #bound(): number {
    const { config } = this.host;
    return config.max_concurrent_tasks + config.prefetch_tasks;
  }

  /** Messages taken in (not spooled) and not started: in the intake steps, parked, or queued for a slot. */
  #taken(): number {
    return this.#admitted + this.host.queue.waiting;
  }

  /** A held message was queued or settled, or a task started: take in the oldest spooled ones there is room for. */
  #pump(): void {
    if (!PUMPING_STATES.includes(this.host.state)) return;
    while (this.#backlog.size > 0 && this.#taken() < this.#bound()) {
      const next = this.#backlog.shift();
      if (!next) return;
      this.#admitted++;
      this.#handle({ msg: next.msg, ack: next.tag });
    }
  }

  /** The message left the intake steps (queued, settled, or lost to a bug). */
  #leave(): void {
    this.#admitted--;
    this.#pump();
  }

  #handle(received: Received, again = false): void {
    const { host } = this;
    if (!again) host.metrics.tasksReceived.inc();
    let claimed: string | undefined;
    let verdict: Claim | undefined;
    const claim = async (taskId: string): Promise<boolean> => {
      verdict = await host.deliveries.claim(taskId, received.ack);
      if (verdict === 'new') claimed = taskId;
      return verdict === 'new';
    };
    let left = false;
    intake(received.msg, host.generation.intake, claim)
      .then((result) => {
        if (verdict === 'later') return this.#park(received);
        left = true;
        this.#admitted--; // before queueing: a task that starts at once makes room for the next
        if (result.kind === 'accept') this.#queue(result.envelope);
        else this.#settle(result, received, claimed, verdict === 'duplicate');
        this.#pump();
      })
      .catch((err: unknown) => {
        if (AgentError.is(err, 'AGENT_ERR_DEDUPE_UNAVAILABLE')) return this.#park(received);
        if (!left) this.#leave();
        // A bug here is reported and counted, never an unhandled rejection [FR-011]; the message stays
        // unacknowledged (the broker redelivers it to a later session).
        reportInternalError({ log: host.reporting.log(), metrics: host.metrics }, 'intake', err, {
          topic: received.msg.topic,
        });
      });
  }

  /** Run an accepted task when a slot is free, on the generation current then; settle it after. */
  #queue(envelope: Extract<IntakeResult, { kind: 'accept' }>['envelope']): void {
    const { host } = this;
    const id = envelope.task_id;
    host.queue.push(id, async () => {
      this.#pump(); // it left the queue: room for the next spooled message
      const answered = await runTask(envelope, host.generation, host.reporting, host.registry);
      await (answered ? host.deliveries.answered(id) : host.deliveries.abandoned(id));
    });
  }

  /**
   * A message that is no task to run: report it (publishing its error, if due), then acknowledge it —
   * unless it is a `duplicate`, whose acknowledgement Deliveries owns (now, or with the task it copies).
   */
  #settle(
    result: Exclude<IntakeResult, { kind: 'accept' }>,
    r: Received,
    claimed: string | undefined,
    duplicate: boolean,
  ): void {
    const { host } = this;
    void reportNotAccepted(result, r.msg, host.generation, host.reporting).then(async (published) => {
      if (duplicate) return;
      if (claimed === undefined) {
        if (published) r.ack();
        return;
      }
      await (published ? host.deliveries.answered(claimed) : host.deliveries.abandoned(claimed));
    });
  }

  #park(r: Received): void {
    this.#parked.push(r);
    this.#retry ??= setTimeout(() => this.retryParked(), PARKED_RETRY_MS).unref();
  }
}
